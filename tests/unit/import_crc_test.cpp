// CRC-32: the kernels against zlib.
#include "compiler/import/Crc32.h"

#include "TestSupport.h"

#include <zlib.h>

#include <random>

using namespace vkqc;

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
    CHECK(crc32Using(kernel, bytes) == static_cast<uint32_t>(crc32_z(0, bytes.data(), bytes.size())));
  }
}

TEST_CASE("crc32Combine joins the CRC-32s of two pieces", "[import][crc]") {
  std::vector<uint8_t> bytes(10000);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(i * 31 + 7);
  llvm::ArrayRef<uint8_t> all(bytes);
  for (size_t cut : {0, 1, 255, 4096, 9999, 10000})
    CHECK(crc32Combine(crc32(all.take_front(cut)), crc32(all.drop_front(cut)), all.size() - cut) == crc32(all));
}
