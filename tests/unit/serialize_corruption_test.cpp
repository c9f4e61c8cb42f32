// Corrupt and truncated files: the reader must return an error naming the
// problem, never crash (run these under ASan/UBSan).
#include "serialize/PteReader.h"
#include "serialize/PteWriter.h"
#include "serialize/VulkanBlobReader.h"

#include "serialize_sample_program.h"

#include "llvm/Support/Endian.h"

#include <cstring>

using namespace vkqc::serialize;
using vkqc::test::errorOf;
using vkqc::test::valueOrFail;
namespace endian = llvm::support::endian;

namespace {

std::vector<uint8_t> sampleBytes() {
  return valueOrFail(serializePte(vkqc::test::sampleProgram()));
}

/// File offset of the flatbuffer field `field` of table `table` inside `bytes`.
template <typename Table> size_t fieldOffset(const uint8_t *bytes, const Table *table, int field) {
  auto *address = reinterpret_cast<const flatbuffers::Table *>(table)->GetAddressOf(field);
  REQUIRE(address);
  return static_cast<size_t>(address - bytes);
}

} // namespace

TEST_CASE("a truncated file is an error at every cut", "[serialize]") {
  std::vector<uint8_t> bytes = sampleBytes();
  for (size_t size = 0; size < bytes.size(); size += 7) {
    llvm::ArrayRef<uint8_t> truncated(bytes.data(), size);
    auto view = readPte(truncated);
    if (view)
      FAIL("truncation to " << size << " of " << bytes.size() << " bytes was accepted");
    llvm::consumeError(view.takeError());
  }
}

TEST_CASE("bit flips in the header are rejected", "[serialize]") {
  const std::vector<uint8_t> bytes = sampleBytes();
  // Identifier, magic, segment_base_offset and segment_data_size: every flip
  // breaks the file. Root offset, header length and program_size have flips
  // that still describe a readable file; those must merely not crash.
  auto mustReject = [](size_t byte) {
    return (byte >= 4 && byte < 12) || (byte >= 24 && byte < 40);
  };
  for (size_t byte = 0; byte < 40; ++byte)
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> flipped = bytes;
      flipped[byte] ^= uint8_t(1u << bit);
      auto view = readPte(flipped);
      if (view && mustReject(byte))
        FAIL("flip of bit " << bit << " of byte " << byte << " was accepted");
      if (!view)
        llvm::consumeError(view.takeError());
    }
}

TEST_CASE("a wrong file identifier is reported", "[serialize]") {
  std::vector<uint8_t> bytes = sampleBytes();
  std::memcpy(bytes.data() + 4, "ET11", 4);
  CHECK(errorOf(readPte(bytes)) == "file: identifier is \"ET11\", expected ET12");
  bytes[4] = 0x01;
  CHECK(errorOf(readPte(bytes)).find("0x01") != std::string::npos);
}

TEST_CASE("header sizes beyond the file are reported", "[serialize]") {
  std::vector<uint8_t> bytes = sampleBytes();
  endian::write64le(bytes.data() + 32, bytes.size()); // segment_data_size
  std::string message = errorOf(readPte(bytes));
  CHECK(message.rfind("extended header: segment data", 0) == 0);
  CHECK(message.find("exceeds the file") != std::string::npos);

  bytes = sampleBytes();
  endian::write64le(bytes.data() + 16, bytes.size() + 1); // program_size
  CHECK(errorOf(readPte(bytes)).rfind("extended header: program_size", 0) == 0);
}

TEST_CASE("segment offsets beyond the file are reported", "[serialize]") {
  using executorch_flatbuffer::DataSegment;
  std::vector<uint8_t> bytes = sampleBytes();
  const auto *program = executorch_flatbuffer::GetProgram(bytes.data());
  const DataSegment *delegateSegment = program->segments()->Get(1);
  size_t offsetField = fieldOffset(bytes.data(), delegateSegment, DataSegment::VT_OFFSET);
  size_t sizeField = fieldOffset(bytes.data(), delegateSegment, DataSegment::VT_SIZE);

  std::vector<uint8_t> farOffset = bytes;
  endian::write64le(farOffset.data() + offsetField, uint64_t(1) << 40);
  std::string message = errorOf(readPte(farOffset));
  CHECK(message.rfind("segment 1: [1099511627776, +", 0) == 0);

  std::vector<uint8_t> overflowing = bytes;
  endian::write64le(overflowing.data() + offsetField, UINT64_MAX - 8);
  endian::write64le(overflowing.data() + sizeField, 64);
  CHECK(errorOf(readPte(overflowing)).rfind("segment 1:", 0) == 0);
}

TEST_CASE("a VH00 header whose lengths exceed the blob is reported", "[serialize]") {
  vkqc::serialize::NamedDataStore store;
  std::vector<uint8_t> blob =
      valueOrFail(buildVulkanDelegateBlob(vkqc::test::sampleVkGraph(store)));
  auto expectError = [&](size_t field, uint64_t value, size_t width, const char *expected) {
    std::vector<uint8_t> corrupt = blob;
    if (width == 4)
      endian::write32le(corrupt.data() + field, static_cast<uint32_t>(value));
    else
      endian::write64le(corrupt.data() + field, value);
    std::string message = errorOf(readVulkanDelegateBlob(corrupt));
    INFO(message);
    CHECK(message.find(expected) != std::string::npos);
  };
  expectError(14, blob.size(), 4, "VH00 header: flatbuffer [32, "); // flatbuffer_size
  expectError(10, UINT32_MAX, 4, "VH00 header: flatbuffer [");      // flatbuffer_offset
  expectError(18, UINT32_MAX, 4, "VH00 header: bytes region");      // bytes_offset
  expectError(22, UINT64_MAX, 8, "VH00 header: bytes region");      // bytes_size
  expectError(14, 0, 4, "VH00 header: flatbuffer_size is 0");
  expectError(4, 0x31304856, 4, "VH00 header: magic is not VH00"); // "VH01"

  SECTION("inside a .pte, the error names the delegate") {
    std::vector<uint8_t> bytes = sampleBytes();
    PteView view = valueOrFail(readPte(bytes));
    uint64_t blobStart = view.extendedHeader->segmentBaseOffset + view.segments[1].offset;
    endian::write32le(bytes.data() + blobStart + 14, UINT32_MAX);
    std::string message = errorOf(readPte(bytes));
    CHECK(message.rfind("plan 'forward' delegate 0: VH00 header: flatbuffer", 0) == 0);
  }
}

TEST_CASE("a corrupt VkGraph flatbuffer is rejected by the verifier", "[serialize]") {
  vkqc::serialize::NamedDataStore store;
  std::vector<uint8_t> blob =
      valueOrFail(buildVulkanDelegateBlob(vkqc::test::sampleVkGraph(store)));
  std::vector<uint8_t> wrongIdentifier = blob;
  wrongIdentifier[36] = 'X';
  CHECK(errorOf(readVulkanDelegateBlob(wrongIdentifier)) ==
        "VkGraph: missing file identifier VK00");
  // Every single-byte change of the flatbuffer part: an error or a view, no crash.
  auto header = valueOrFail(VulkanDelegateHeader::parse(blob));
  for (size_t byte = header.flatbufferOffset;
       byte < header.flatbufferOffset + header.flatbufferSize; ++byte) {
    std::vector<uint8_t> corrupt = blob;
    corrupt[byte] ^= 0xff;
    auto view = readVulkanDelegateBlob(corrupt);
    if (!view)
      llvm::consumeError(view.takeError());
  }
}
