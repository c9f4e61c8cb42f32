#include "compiler/semantics/Npy.h"

#include "TestTensors.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::interp::testing;

namespace {
/// A version 1.0 .npy file with `header` (newline appended) followed by `data`.
std::string npyFile(const std::string &header, const std::string &data, char major = 1) {
  std::string body = header + "\n";
  std::string file = std::string("\x93NUMPY", 6) + major + '\0';
  size_t length = body.size();
  file += static_cast<char>(length & 0xff);
  file += static_cast<char>((length >> 8) & 0xff);
  if (major != 1) {
    file += static_cast<char>((length >> 16) & 0xff);
    file += static_cast<char>(length >> 24);
  }
  return file + body + data;
}

std::string floats(std::vector<float> values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * 4);
}

const std::string kGoodHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
} // namespace

TEST_CASE("parseNpy accepts numpy's spellings") {
  Tensor t = expectOk(parseNpy(npyFile(kGoodHeader, floats({1.5f, -2.0f})), "t"));
  CHECK(t.dtype() == DType::Float32);
  CHECK(t.shape() == Shape{2});
  CHECK(valuesOf(t) == std::vector<double>{1.5, -2.0});

  Tensor scalar = expectOk(parseNpy(
      npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': ()}", std::string(8, '\0')), "s"));
  CHECK(scalar.shape() == Shape{});
  Tensor v2 = expectOk(parseNpy(
      npyFile("{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"|u1\"}", "ab", 2), "v2"));
  CHECK(v2.shape() == Shape{1, 2});
  CHECK(v2.getInt(1) == 'b');
  Tensor empty = expectOk(
      parseNpy(npyFile("{'descr': '<f2', 'fortran_order': False, 'shape': (0, 5), }", ""), "e"));
  CHECK(empty.numel() == 0);
  Tensor bools =
      expectOk(parseNpy(npyFile("{'descr': '|b1', 'fortran_order': False, 'shape': (2,)}",
                                std::string("\x00\x07", 2)),
                        "b"));
  CHECK(valuesOf(bools) == std::vector<double>{0, 1});
}

TEST_CASE("writeNpy round-trips through readNpy with a 64-byte aligned header") {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("vkqc-npy", dir));
  for (DType dtype : {DType::Float32, DType::Float16, DType::Float64, DType::Int64, DType::Int32,
                      DType::Int16, DType::Int8, DType::UInt8, DType::Bool}) {
    std::mt19937 rng(1);
    Tensor t = randomTensor(dtype, {2, 3, 1}, rng, 0, 5);
    std::string path = (dir + "/t.npy").str();
    if (auto err = writeNpy(path, t))
      FAIL(llvm::toString(std::move(err)));
    auto buffer = llvm::MemoryBuffer::getFile(path);
    REQUIRE(buffer);
    size_t headerLength = static_cast<uint8_t>((*buffer)->getBuffer()[8]) |
                          static_cast<uint8_t>((*buffer)->getBuffer()[9]) << 8;
    CHECK((10 + headerLength) % 64 == 0);
    Tensor back = expectOk(readNpy(path));
    CHECK(sameValues(back, t));
  }
  Tensor scalar = makeTensor(DType::Float32, {}, {3.0});
  std::string scalarPath = (dir + "/s.npy").str();
  REQUIRE(!writeNpy(scalarPath, scalar));
  CHECK(expectOk(readNpy(scalarPath)).shape() == Shape{});
  std::string vectorPath = (dir + "/v.npy").str();
  REQUIRE(!writeNpy(vectorPath, makeTensor(DType::Float32, {1}, {3.0})));
  CHECK(expectOk(readNpy(vectorPath)).shape() == Shape{1});

  auto bf16Error = writeNpy((dir + "/b.npy").str(), Tensor(DType::BFloat16, {1}));
  CHECK(static_cast<bool>(bf16Error));
  llvm::consumeError(std::move(bf16Error));
  CHECK(!expectError(readNpy((dir + "/missing.npy").str())).empty());
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("parseNpy rejects malformed and hostile files") {
  const std::string data = floats({1.0f, 2.0f});
  std::string good = npyFile(kGoodHeader, data);
  auto shapeHeader = [](const std::string &shape) {
    return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  };
  std::string hugeLength = good;
  hugeLength[8] = '\xff';
  hugeLength[9] = '\xff';
  std::string badVersion = good;
  badVersion[6] = 4;
  std::string noNewline = good;
  noNewline[10 + kGoodHeader.size()] = ' ';

  std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"bad magic", "\x93NUMPX" + good.substr(6)},
      {"truncated magic", good.substr(0, 4)},
      {"truncated before header length", good.substr(0, 9)},
      {"header length beyond the file", hugeLength},
      {"unsupported version", badVersion},
      {"header without newline", noNewline},
      {"truncated data", good.substr(0, good.size() - 1)},
      {"trailing data", good + "x"},
      {"big-endian descr",
       npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}", data)},
      {"unsupported descr",
       npyFile("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", std::string(8, '\0'))},
      {"fortran order", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2,)}", data)},
      {"missing key", npyFile("{'descr': '<f4', 'shape': (2,)}", data)},
      {"duplicate key",
       npyFile("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", data)},
      {"unknown key",
       npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", data)},
      {"not a dict", npyFile("['descr', '<f4']", data)},
      {"unterminated string", npyFile("{'descr: '<f4', 'fortran_order': False}", data)},
      {"text after dict", npyFile(kGoodHeader + " junk", data)},
      {"negative dim", npyFile(shapeHeader("(-2,)"), data)},
      {"non-tuple shape", npyFile(shapeHeader("(2)"), data)},
      {"list shape", npyFile(shapeHeader("[2]"), data)},
      {"shape entry overflows int64", npyFile(shapeHeader("(99999999999999999999,)"), data)},
      {"shape product overflows", npyFile(shapeHeader("(4294967296, 4294967296, 16)"), data)},
      {"huge shape, little data", npyFile(shapeHeader("(1000000000000,)"), data)},
      {"data shorter than shape", npyFile(shapeHeader("(3,)"), data)},
      {"non-ascii header", npyFile("{'descr': '<f4\xc3\xa9', 'fortran_order': False}", data)},
      {"nul in header", npyFile(std::string("{'descr': '<f4'\0}", 17), data)},
  };
  REQUIRE(cases.size() >= 15);
  for (const auto &[what, bytes] : cases) {
    INFO(what);
    auto result = parseNpy(bytes, "bad.npy");
    REQUIRE(!result);
    std::string message = llvm::toString(result.takeError());
    CHECK(message.find("bad.npy") != std::string::npos);
  }
}
