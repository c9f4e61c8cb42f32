// Our two-at-once SHA-256 rounds against OpenSSL's, at every length where the padding
// changes shape, and with the pair's lengths apart (the longer one finishes alone).
#include "serialize/ContentKey.h"
#include "serialize/Sha256.h"

#include <catch2/catch.hpp>

#include <random>
#include <vector>

using namespace vkqc::serialize;

TEST_CASE("sha256Pair equals SHA-256 of each string, at every padding shape", "[serialize]") {
  std::mt19937 rng(7);
  std::vector<uint8_t> a(3 << 16), b(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<uint8_t>(rng());
    b[i] = static_cast<uint8_t>(rng());
  }
  // One block: empty, short, the last length whose length field fits (55), the first that
  // needs a second block (56), block edges; then many blocks, and many blocks plus a tail.
  const size_t lengths[] = {0,   1,   3,   55,  56,  63,   64,       65,
                            119, 120, 127, 128, 129, 1000, 4096 + 7, a.size()};
  for (size_t first : lengths)
    for (size_t second : lengths) {
      llvm::ArrayRef<uint8_t> x = llvm::ArrayRef<uint8_t>(a).take_front(first);
      llvm::ArrayRef<uint8_t> y = llvm::ArrayRef<uint8_t>(b).take_front(second);
      std::array<Sha256Digest, 2> pair = sha256Pair(x, y);
      INFO("lengths " << first << " and " << second);
      CHECK(pair[0] == sha256(x));
      CHECK(pair[1] == sha256(y));
    }
  // The same string twice, and the two halves of one buffer (the lanes share memory).
  std::array<Sha256Digest, 2> same = sha256Pair(a, a);
  CHECK(same[0] == sha256(a));
  CHECK(same[1] == same[0]);
  llvm::ArrayRef<uint8_t> whole(a);
  std::array<Sha256Digest, 2> halves = sha256Pair(whole.take_front(1000), whole.drop_front(1000));
  CHECK(halves[0] == sha256(whole.take_front(1000)));
  CHECK(halves[1] == sha256(whole.drop_front(1000)));
}

TEST_CASE("contentKeys are the two strings' contentKey", "[serialize]") {
  // SHA-256("abc") and SHA-256(""), FIPS 180-2 appendix B.1 and the empty string.
  std::vector<uint8_t> abc = {'a', 'b', 'c'};
  std::array<std::string, 2> keys = contentKeys(abc, {});
  CHECK(keys[0] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(keys[1] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(keys[0] == contentKey(abc));
}
