// CRC-32: the kernels against zlib, and the archive's checks (metadata when read, weights in
// the background, joined by verifyIntegrity).
#include "compiler/import/BackgroundCrcCheck.h"
#include "compiler/import/Crc32.h"
#include "compiler/import/ExportImporter.h"

#include "llvm/Support/MemoryBuffer.h"

#include "TestSupport.h"

#include <zlib.h>

#include <cstring>
#include <random>

using namespace vkqc;
using namespace vkqc::test;

namespace {
const char *const kRoot = "tiny_llama_8da4w_fp32/";

std::vector<uint8_t> corpusBytes() {
  auto buf =
      llvm::MemoryBuffer::getFile(std::string(VKQC_TEST_DATA_DIR) + "/tiny_llama_8da4w_fp32.pt2");
  REQUIRE(buf);
  return std::vector<uint8_t>((*buf)->getBufferStart(), (*buf)->getBufferEnd());
}

uint32_t le32(const std::vector<uint8_t> &b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
uint16_t le16(const std::vector<uint8_t> &b, size_t at) {
  return static_cast<uint16_t>(b[at] | (b[at + 1] << 8));
}

/// Calls `fn(name, centralHeader, localHeader)` for every entry of the zip (no zip64).
template <typename Fn> void forEachEntry(const std::vector<uint8_t> &zip, Fn fn) {
  size_t eocd = zip.size() - 22;
  REQUIRE(le32(zip, eocd) == 0x06054b50);
  size_t at = le32(zip, eocd + 16);
  for (unsigned i = 0, n = le16(zip, eocd + 10); i < n; ++i) {
    REQUIRE(le32(zip, at) == 0x02014b50);
    size_t nameLen = le16(zip, at + 28);
    std::string name(zip.begin() + at + 46, zip.begin() + at + 46 + nameLen);
    fn(name, at, size_t(le32(zip, at + 42)));
    at += 46 + nameLen + le16(zip, at + 30) + le16(zip, at + 32);
  }
}

/// Where `entry`'s bytes start in the zip.
size_t dataOffset(const std::vector<uint8_t> &zip, const std::string &entry) {
  size_t found = 0;
  forEachEntry(zip, [&](const std::string &name, size_t, size_t local) {
    if (name == kRoot + entry)
      found = local + 30 + le16(zip, local + 26) + le16(zip, local + 28);
  });
  REQUIRE(found != 0);
  return found;
}

/// Every entry's stored CRC-32 set to 0, as PyTorch's writer leaves it when told not to
/// compute CRCs.
void zeroCrcs(std::vector<uint8_t> &zip) {
  forEachEntry(zip, [&](const std::string &, size_t central, size_t local) {
    std::memset(zip.data() + central + 16, 0, 4);
    std::memset(zip.data() + local + 14, 0, 4);
  });
}

/// Imports the zip and joins its CRC-32 checks: "" or the first error.
std::string importAndVerify(const std::vector<uint8_t> &zip, const ArchiveOptions &options = {}) {
  llvm::Expected<std::unique_ptr<ModelArchive>> archive =
      ModelArchive::openZipBuffer(zip, "model.pt2", options);
  if (!archive)
    return llvm::toString(archive.takeError());
  llvm::Expected<std::unique_ptr<Graph>> g = importFromArchive(**archive, "model.pt2");
  if (!g)
    return llvm::toString(g.takeError());
  return errorText((*archive)->verifyIntegrity());
}
} // namespace

TEST_CASE("crc32 matches zlib for every kernel, length and alignment", "[import][crc]") {
  std::mt19937 rng(7);
  std::vector<uint8_t> bytes(1 << 16);
  for (uint8_t &b : bytes)
    b = static_cast<uint8_t>(rng());
  const char *check = "123456789";
  CHECK(crc32(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(check), 9)) == 0xcbf43926u);
  for (int k = 0; k <= static_cast<int>(fastestCrc32Kernel()); ++k) {
    auto kernel = static_cast<Crc32Kernel>(k);
    INFO("kernel " << k);
    for (size_t offset = 0; offset < 16; offset += 5)
      for (size_t size = 0; size < 1100; size += size < 300 ? 1 : 37) {
        uint32_t seed = static_cast<uint32_t>(rng());
        llvm::ArrayRef<uint8_t> part(bytes.data() + offset, size);
        uint32_t want = static_cast<uint32_t>(crc32_z(seed, part.data(), part.size()));
        REQUIRE(crc32Using(kernel, part, seed) == want);
      }
    CHECK(crc32Using(kernel, bytes) ==
          static_cast<uint32_t>(crc32_z(0, bytes.data(), bytes.size())));
  }
}

TEST_CASE("crc32Combine joins the CRC-32s of two pieces", "[import][crc]") {
  std::vector<uint8_t> bytes(10000);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(i * 31 + 7);
  llvm::ArrayRef<uint8_t> all(bytes);
  for (size_t cut : {0, 1, 255, 4096, 9999, 10000})
    CHECK(crc32Combine(crc32(all.take_front(cut)), crc32(all.drop_front(cut)), all.size() - cut) ==
          crc32(all));
}

TEST_CASE("background checks combine chunks and report the first bad entry in order",
          "[import][crc]") {
  std::vector<uint8_t> big(9 << 20); // three chunks
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<uint8_t>(i ^ (i >> 11));
  std::vector<uint8_t> small = {1, 2, 3};
  uint32_t bigCrc = crc32(big), smallCrc = crc32(small);
  {
    BackgroundCrcCheck check;
    check.add("big", big, bigCrc);
    check.add("small", small, smallCrc);
    CHECK(errorText(check.wait()) == "");
  }
  {
    BackgroundCrcCheck check;
    check.add("big", big, bigCrc);
    check.add("small", small, smallCrc ^ 1);
    check.add("big again", big, bigCrc ^ 0x80000000u);
    std::string want = "small: CRC-32 mismatch (stored 0x" +
                       llvm::utohexstr(smallCrc ^ 1, true, 8) + ", computed 0x" +
                       llvm::utohexstr(smallCrc, true, 8) + ")";
    CHECK(errorText(check.wait()) == want);
    CHECK(errorText(check.wait()) == want); // the verdict stays
  }
  {
    BackgroundCrcCheck check; // destroyed with its checks still queued: they are dropped
    for (int i = 0; i < 8; ++i)
      check.add("big", big, 0);
  }
}

TEST_CASE("a real export passes its CRC-32 checks", "[import][crc]") {
  CHECK(importAndVerify(corpusBytes()) == "");
}

TEST_CASE("a flipped byte in a weight entry fails the join, naming the entry", "[import][crc]") {
  std::vector<uint8_t> zip = corpusBytes();
  zip[dataOffset(zip, "data/weights/weight_5") + 100] ^= 0x01;
  std::string err = importAndVerify(zip);
  CHECK_THAT(err, Catch::StartsWith(
                      "data/weights/weight_5: CRC-32 mismatch (stored 0xc3ffc798, computed 0x"));
  ArchiveOptions unchecked;
  unchecked.verifyWeightCrc = false; // --no-verify-crc
  CHECK(importAndVerify(zip, unchecked) == "");
}

TEST_CASE("a flipped byte in model.json is refused when it is read", "[import][crc]") {
  std::vector<uint8_t> zip = corpusBytes();
  zip[dataOffset(zip, "models/model.json") + 1000] ^= 0x20;
  ArchiveOptions unchecked;
  unchecked.verifyWeightCrc = false; // metadata is checked whatever this says
  auto archive = valueOrFail(ModelArchive::openZipBuffer(zip, "model.pt2", unchecked));
  CHECK_THAT(
      errorOf(importFromArchive(*archive, "model.pt2")),
      Catch::StartsWith("models/model.json: CRC-32 mismatch (stored 0x6a1a0fa6, computed 0x"));
}

TEST_CASE("entries stored without a CRC-32 (0, set_crc32_options(False)) are read unchecked",
          "[import][crc]") {
  std::vector<uint8_t> zip = corpusBytes();
  zeroCrcs(zip);
  CHECK(importAndVerify(zip) == "");
  zip[dataOffset(zip, "data/weights/weight_5") + 100] ^= 0x01;
  CHECK(importAndVerify(zip) == ""); // as PyTorch reads it: nothing to check against
}
