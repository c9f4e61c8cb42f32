// writePte: atomic file output, and rejection of inconsistent descriptions.
#include "serialize/PteReader.h"
#include "serialize/PteWriter.h"

#include "serialize_sample_program.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace vkqc::serialize;
using vkqc::test::errorOf;
using vkqc::test::errorText;
using vkqc::test::valueOrFail;

TEST_CASE("writePte writes exactly the serialized bytes", "[serialize]") {
  llvm::SmallString<128> directory;
  REQUIRE_FALSE(llvm::sys::fs::createUniqueDirectory("vkqc-pte", directory));
  llvm::SmallString<128> path(directory);
  llvm::sys::path::append(path, "model.pte");

  PteProgram program = vkqc::test::sampleProgram();
  CHECK(errorText(writePte(program, path)) == "");
  auto written = llvm::MemoryBuffer::getFile(path);
  REQUIRE(written);
  std::vector<uint8_t> expected = valueOrFail(serializePte(program));
  CHECK(std::vector<uint8_t>((*written)->getBufferStart(), (*written)->getBufferEnd()) == expected);
  PteView view = valueOrFail(readPteFile(path));
  CHECK(view.fileSize == expected.size());

  SECTION("a failed write leaves no file behind") {
    llvm::SmallString<128> missing(directory);
    llvm::sys::path::append(missing, "no-such-dir", "model.pte");
    CHECK(errorText(writePte(program, missing))
              .rfind(std::string(missing) + ": cannot write the output: ", 0) == 0);
    program.plans[0].outputs = {99};
    llvm::SmallString<128> rejected(directory);
    llvm::sys::path::append(rejected, "rejected.pte");
    CHECK(errorText(writePte(program, rejected)) != "");
    CHECK_FALSE(llvm::sys::fs::exists(rejected));
    CHECK(errorOf(readPteFile(rejected)).rfind(std::string(rejected) + ": cannot read: ", 0) == 0);
  }
  SECTION("a program rejected before writing leaves an earlier output as it was") {
    program.plans[0].outputs = {99};
    CHECK(errorText(writePte(program, path)) != "");
    auto kept = llvm::MemoryBuffer::getFile(path);
    REQUIRE(kept);
    CHECK((*kept)->getBuffer() ==
          llvm::StringRef(reinterpret_cast<const char *>(expected.data()), expected.size()));
  }
  llvm::sys::fs::remove_directories(directory);
}

TEST_CASE("inconsistent programs are rejected before writing", "[serialize]") {
  PteProgram program = vkqc::test::sampleProgram();
  PteExecutionPlan &plan = program.plans[0];

  SECTION("dangling output") {
    plan.outputs = {5};
    CHECK(errorOf(serializePte(program)) ==
          "plan 'forward' outputs: EValue index 5 out of range (5)");
  }
  SECTION("unknown operator") {
    std::get<PteKernelCall>(plan.chains[0].instructions[1]).operatorIndex = 1;
    CHECK(errorOf(serializePte(program)) ==
          "plan 'forward' chain 0 instruction 1: operator index 1 out of range (1)");
  }
  SECTION("constant index beyond the constant buffers") {
    std::get<PteTensor>(plan.values[2]).dataBufferIndex = 2;
    CHECK(errorOf(serializePte(program)) ==
          "plan 'forward' value 2: tensor data_buffer_idx 2 out of range (1 constant buffers)");
  }
  SECTION("allocation in an unplanned buffer") {
    std::get<PteTensor>(plan.values[0]).allocation->memoryId = 2;
    CHECK(errorOf(serializePte(program)).find("memory_id 2 is not a planned buffer") !=
          std::string::npos);
  }
  SECTION("no plan") {
    program.plans.clear();
    CHECK(errorOf(serializePte(program)) == "program: no execution plan");
  }
}

TEST_CASE("pending keys are put in as the file is written: the same bytes as keys known up front",
          "[serialize]") {
  using vkqc::test::SampleKeys;
  using vkqc::test::sampleProgram;
  std::vector<uint8_t> hashed = valueOrFail(serializePte(sampleProgram(SampleKeys::Hashed)));
  PteProgram shared = sampleProgram(SampleKeys::PendingShared);
  REQUIRE(shared.namedData.entries().size() == 2);
  CHECK(valueOrFail(serializePte(shared)) == hashed);
  // W and W2 under two pending keys hold identical bytes: found when written, stored once
  // (the file is written a second time).
  PteProgram each = sampleProgram(SampleKeys::PendingEach);
  REQUIRE(each.namedData.entries().size() == 3);
  CHECK(valueOrFail(serializePte(each)) == hashed);

  llvm::SmallString<128> directory;
  REQUIRE_FALSE(llvm::sys::fs::createUniqueDirectory("vkqc-pte", directory));
  llvm::SmallString<128> path(directory);
  llvm::sys::path::append(path, "model.pte");
  CHECK(errorText(writePte(each, path)) == "");
  auto written = llvm::MemoryBuffer::getFile(path);
  REQUIRE(written);
  CHECK(std::vector<uint8_t>((*written)->getBufferStart(), (*written)->getBufferEnd()) == hashed);
  std::error_code ec;
  llvm::sys::fs::directory_iterator it(directory, ec), end;
  int files = 0;
  for (; !ec && it != end; it.increment(ec))
    ++files;
  CHECK(files == 1); // the first attempt's temporary file is gone
  llvm::sys::fs::remove_directories(directory);

  SECTION("a pending key the writer cannot resolve is an error, not a file") {
    PteProgram broken = sampleProgram(SampleKeys::PendingShared);
    std::string bogus =
        std::string(NamedDataStore::kPendingKeyPrefix) + std::string(39 - 2, '0') + "77";
    broken.namedData.addStreamed(bogus, DataSource::fromBytes({1, 2, 3}));
    CHECK(errorOf(serializePte(broken)).find("no key for the pending key") != std::string::npos);
  }
}
