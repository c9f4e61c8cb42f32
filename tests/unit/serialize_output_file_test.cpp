// Output files: temp file + rename, the old file set aside (written over, or removed),
// large outputs prefilled through write(2) before they are mapped (OutputFile.h,
// PrefilledOutputBuffer.h).
#include "serialize/OutputFile.h"
#include "serialize/PteWriter.h"

#include "serialize_sample_program.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <fcntl.h>
#include <unistd.h>

using namespace vkqc::serialize;
using vkqc::test::errorText;
using vkqc::test::valueOrFail;

namespace {
/// A fresh directory, removed with everything in it at the end of the test.
struct ScratchDirectory {
  llvm::SmallString<128> path;
  ScratchDirectory() { REQUIRE_FALSE(llvm::sys::fs::createUniqueDirectory("vkqc-out", path)); }
  ~ScratchDirectory() { llvm::sys::fs::remove_directories(path); }
  std::string at(llvm::StringRef name) const {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  /// The names in the directory, sorted (a leftover temporary file shows here).
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec; it.increment(ec))
      out.push_back(llvm::sys::path::filename(it->path()).str());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string contents(const std::string &path) {
  auto b = llvm::MemoryBuffer::getFile(path);
  return b ? (*b)->getBuffer().str() : std::string("<missing>");
}

/// 20 MiB: past the size from which outputs are prefilled.
constexpr size_t kLarge = 20 * 1024 * 1024;
} // namespace

TEST_CASE("an output replaces the file at its path, never a link's target", "[serialize]") {
  ScratchDirectory dir;
  REQUIRE(errorText(writeFileAtomically(dir.at("out"), "old contents")) == "");
  REQUIRE(errorText(writeFileAtomically(dir.at("target"), "target")) == "");
  REQUIRE_FALSE(llvm::sys::fs::create_link(dir.at("target"), dir.at("link")));

  CHECK(errorText(writeFileAtomically(dir.at("out"), "new")) == "");
  CHECK(contents(dir.at("out")) == "new");
  CHECK(errorText(writeFileAtomically(dir.at("link"), "through the link")) == "");
  CHECK(contents(dir.at("link")) == "through the link");
  CHECK(contents(dir.at("target")) == "target");
  CHECK(isSameFile(dir.at("out"), dir.at("out")));
  CHECK_FALSE(isSameFile(dir.at("out"), dir.at("target")));
  CHECK_FALSE(isSameFile(dir.at("out"), dir.at("missing")));
  CHECK(errorText(writeFileAtomically(std::string(dir.path), "x")) ==
        std::string(dir.path) + ": cannot write the output: it is a directory");
  CHECK(dir.names() == std::vector<std::string>{"link", "out", "target"});
}

TEST_CASE("an old output is set aside, and removed unless written over", "[serialize]") {
  ScratchDirectory dir;
  REQUIRE(errorText(writeFileAtomically(dir.at("old"), "old")) == "");
  REQUIRE(errorText(writeFileAtomically(dir.at("target"), "target")) == "");
  REQUIRE_FALSE(llvm::sys::fs::create_link(dir.at("target"), dir.at("symlink")));
  REQUIRE_FALSE(llvm::sys::fs::create_directory(dir.at("subdir")));
  {
    OldOutput old = setAsideOldOutput(dir.at("old"));
    OldOutput none[] = {setAsideOldOutput(dir.at("symlink")), setAsideOldOutput(dir.at("subdir")),
                        setAsideOldOutput(dir.at("missing")), setAsideOldOutput("-")};
    OldOutput reassigned = setAsideOldOutput(dir.at("missing"));
    reassigned = std::move(old); // still removed once, at the end
  } // nothing took them: a compile that failed leaves no file at the path
  CHECK(dir.names() == std::vector<std::string>{"subdir", "symlink", "target"});
  CHECK(contents(dir.at("symlink")) == "target");
}

TEST_CASE("an old output is written over only when nothing else can see it", "[serialize]") {
  ScratchDirectory dir;
  // The old file is larger than the new one, and full of bytes the new one does not have.
  std::string oldBytes(kLarge + 12345, '\xff');
  std::string newBytes(kLarge, '\0');
  for (size_t i = 0; i < newBytes.size(); ++i)
    newBytes[i] = static_cast<char>(i * 13 + (i >> 10));
  auto inode = [](const std::string &path) {
    llvm::sys::fs::file_status status;
    REQUIRE_FALSE(llvm::sys::fs::status(path, status));
    return status.getUniqueID();
  };
  auto writeOver = [&](OldOutput &old) {
    OutputBuffer out = valueOrFail(createOutputBuffer(dir.at("big"), newBytes.size(), &old));
    REQUIRE(out.prefilled);
    CHECK(errorText(out.prepare(0, newBytes.size())) == "");
    std::copy(newBytes.begin(), newBytes.end(), out.file->getBufferStart());
    CHECK(errorText(out.file->commit()) == "");
  };
  REQUIRE(errorText(writeFileAtomically(dir.at("big"), oldBytes)) == "");
  llvm::sys::fs::UniqueID before = inode(dir.at("big"));

  SECTION("its only name, and no process has it open: its file is reused, cut to size") {
    // Only where the file system grants leases (the check that no process has it open).
    int probe = ::open(dir.at("big").c_str(), O_RDWR);
    REQUIRE(probe >= 0);
    bool leases = ::fcntl(probe, F_SETLEASE, F_WRLCK) == 0;
    ::fcntl(probe, F_SETLEASE, F_UNLCK);
    ::close(probe);
    OldOutput old = setAsideOldOutput(dir.at("big"));
    writeOver(old);
    CHECK((inode(dir.at("big")) == before) == leases);
    CHECK(contents(dir.at("big")) == newBytes);
  }
  SECTION("the new output grows the old file") {
    newBytes += std::string(100000, 'x');
    OldOutput old = setAsideOldOutput(dir.at("big"));
    writeOver(old);
    CHECK(contents(dir.at("big")) == newBytes);
  }
  SECTION("another name: that one keeps the old bytes") {
    REQUIRE_FALSE(llvm::sys::fs::create_hard_link(dir.at("big"), dir.at("other")));
    OldOutput old = setAsideOldOutput(dir.at("big"));
    writeOver(old);
    CHECK(contents(dir.at("big")) == newBytes);
    CHECK(contents(dir.at("other")) == oldBytes);
  }
  SECTION("open elsewhere (a runtime reading it): the reader keeps the old bytes") {
    int reader = ::open(dir.at("big").c_str(), O_RDONLY);
    REQUIRE(reader >= 0);
    OldOutput old = setAsideOldOutput(dir.at("big"));
    writeOver(old);
    CHECK(inode(dir.at("big")) != before);
    CHECK(contents(dir.at("big")) == newBytes);
    std::string seen(oldBytes.size(), '\0');
    CHECK(::pread(reader, seen.data(), seen.size(), 0) == static_cast<ssize_t>(seen.size()));
    CHECK(seen == oldBytes);
    ::close(reader);
  }
  for (const std::string &name : dir.names()) // no temporary file left
    CHECK((name == "big" || name == "other"));
}

TEST_CASE(
    "a large output is prefilled, released range by range, then holds exactly what was written",
    "[serialize]") {
  ScratchDirectory dir;
  std::vector<uint8_t> expected(kLarge);
  for (size_t i = 0; i < expected.size(); ++i)
    expected[i] = static_cast<uint8_t>(i * 7 + (i >> 12));
  llvm::StringRef expectedText(reinterpret_cast<const char *>(expected.data()), expected.size());

  SECTION("committed") {
    REQUIRE(errorText(writeFileAtomically(dir.at("big"), "an older, shorter file")) == "");
    OutputBuffer out = valueOrFail(createOutputBuffer(dir.at("big"), kLarge));
    REQUIRE(out.prefilled == out.file.get());
    REQUIRE(out.file->getBufferSize() == kLarge);
    CHECK_FALSE(llvm::sys::fs::exists(dir.at("big"))); // nothing at the path before commit
    // Ranges prepared and written one after the other, their edges inside pages: a
    // prefill never clears bytes of a neighbouring range that is already written.
    uint8_t *bytes = out.file->getBufferStart();
    for (size_t begin = 0, step = 1000003; begin < kLarge; begin += step) {
      size_t end = std::min(kLarge, begin + step);
      CHECK(errorText(out.prepare(begin, end - begin)) == "");
      CHECK(std::all_of(bytes + begin, bytes + end, [](uint8_t b) { return b == 0; }));
      std::copy(expected.begin() + begin, expected.begin() + end, bytes + begin);
      // Released pages keep their bytes: a later read maps them again from the file cache.
      out.release(begin, end - begin);
      CHECK(std::equal(expected.begin() + begin, expected.begin() + end, bytes + begin));
    }
    CHECK(errorText(out.file->commit()) == "");
    CHECK(contents(dir.at("big")) == expectedText);
    CHECK(dir.names() == std::vector<std::string>{"big"});
  }
  SECTION("discarded, or dropped unfinished: no file") {
    OutputBuffer out = valueOrFail(createOutputBuffer(dir.at("big"), kLarge));
    out.file->getBufferStart()[0] = 1;
    out.file->discard();
    OutputBuffer dropped = valueOrFail(createOutputBuffer(dir.at("big2"), kLarge));
    dropped.file.reset();
    CHECK(dir.names().empty());
  }
  SECTION("small outputs and standard output are not prefilled") {
    OutputBuffer small = valueOrFail(createOutputBuffer(dir.at("small"), 4096));
    CHECK(small.prefilled == nullptr);
    CHECK(errorText(small.prepare(0, 4096)) == "");
    small.file->discard();
    OutputBuffer stdoutBuffer = valueOrFail(createOutputBuffer("-", kLarge));
    CHECK(stdoutBuffer.prefilled == nullptr);
    stdoutBuffer.file->discard();
  }
}

TEST_CASE("a large program is written through a prefilled file: the same bytes as in memory",
          "[serialize]") {
  using vkqc::test::SampleKeys;
  ScratchDirectory dir;
  // PendingEach: two pending entries hold identical bytes, so the file is written twice.
  // An old output (larger or smaller, its bytes not the new ones) is written over.
  for (SampleKeys keys : {SampleKeys::Hashed, SampleKeys::PendingEach})
    for (size_t oldSize : {size_t(0), kLarge / 2, 2 * kLarge}) {
      PteProgram program = vkqc::test::sampleProgram(keys);
      std::vector<uint8_t> big(kLarge);
      for (size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<uint8_t>(i ^ (i >> 8));
      program.addConstantBuffer(std::move(big));
      std::vector<uint8_t> expected = valueOrFail(serializePte(program));
      REQUIRE(expected.size() > kLarge);
      if (oldSize)
        REQUIRE(errorText(writeFileAtomically(dir.at("model.pte"), std::string(oldSize, '\x5a'))) ==
                "");
      OldOutput old = setAsideOldOutput(dir.at("model.pte"));
      REQUIRE(errorText(writePte(program, dir.at("model.pte"), nullptr, &old)) == "");
      CHECK(contents(dir.at("model.pte")) ==
            llvm::StringRef(reinterpret_cast<const char *>(expected.data()), expected.size()));
      CHECK(dir.names() == std::vector<std::string>{"model.pte"});
    }
}
