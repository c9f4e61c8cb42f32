#include "compiler/semantics/Npy.h"

#include "compiler/ir/OneLineError.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <optional>

namespace vkqc::interp {

namespace {
constexpr llvm::StringLiteral kMagic("\x93NUMPY");

struct DescrEntry {
  llvm::StringLiteral descr;
  DType dtype;
};
// numpy's spelling of each supported dtype ('|' for single-byte types).
constexpr DescrEntry kDescrs[] = {
    {"|b1", DType::Bool},    {"|u1", DType::UInt8},   {"|i1", DType::Int8},
    {"<i2", DType::Int16},   {"<i4", DType::Int32},   {"<i8", DType::Int64},
    {"<f2", DType::Float16}, {"<f4", DType::Float32}, {"<f8", DType::Float64},
};

// Header keys and descrs are quoted into messages and may hold newlines: keep one line.
llvm::Error npyError(llvm::StringRef name, const llvm::Twine &message) {
  return oneLineError(name, "invalid .npy: " + message);
}

/// What the header dict says.
struct NpyHeader {
  DType dtype = DType::Float32;
  Shape shape;
};

/// A strict parser for the header's Python dict literal, e.g.
/// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
public:
  HeaderParser(llvm::StringRef text, llvm::StringRef name) : text_(text), name_(name) {}

  llvm::Expected<NpyHeader> parse() {
    NpyHeader header;
    bool haveDescr = false, haveOrder = false, haveShape = false;
    if (!consume('{'))
      return fail("header does not start with '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      auto key = parseString();
      if (!key)
        return key.takeError();
      if (!consume(':', true))
        return fail("expected ':' after key '" + *key + "'");
      if (*key == "descr" && !haveDescr) {
        haveDescr = true;
        auto descr = parseString();
        if (!descr)
          return descr.takeError();
        auto dtype = dtypeForDescr(*descr);
        if (!dtype)
          return fail("unsupported descr '" + *descr + "'");
        header.dtype = *dtype;
      } else if (*key == "fortran_order" && !haveOrder) {
        haveOrder = true;
        skipSpace();
        if (text_.consume_front("True"))
          return fail("fortran_order True is not supported");
        if (!text_.consume_front("False"))
          return fail("fortran_order must be False");
      } else if (*key == "shape" && !haveShape) {
        haveShape = true;
        auto shape = parseShape();
        if (!shape)
          return shape.takeError();
        header.shape = std::move(*shape);
      } else {
        return fail("unexpected or repeated key '" + *key + "'");
      }
      skipSpace();
      if (consume('}'))
        break;
      if (!consume(','))
        return fail("expected ',' or '}' in header dict");
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("header lacks descr, fortran_order or shape");
    // Only padding may follow the dict.
    if (text_.find_first_not_of(" \t\n") != llvm::StringRef::npos)
      return fail("unexpected text after the header dict");
    return header;
  }

private:
  llvm::Error fail(const llvm::Twine &message) { return npyError(name_, message); }

  void skipSpace() { text_ = text_.ltrim(" \t"); }

  bool consume(char c, bool skipLeadingSpace = false) {
    if (skipLeadingSpace)
      skipSpace();
    return text_.consume_front(llvm::StringRef(&c, 1));
  }

  /// A quoted string without escapes ('...' or "...").
  llvm::Expected<std::string> parseString() {
    skipSpace();
    if (text_.empty() || (text_.front() != '\'' && text_.front() != '"'))
      return fail("expected a quoted string");
    char quote = text_.front();
    size_t close = text_.find(quote, 1);
    if (close == llvm::StringRef::npos)
      return fail("unterminated string");
    std::string value = text_.substr(1, close - 1).str();
    if (value.find('\\') != std::string::npos)
      return fail("escapes in header strings are not supported");
    text_ = text_.drop_front(close + 1);
    return value;
  }

  /// A tuple of non-negative decimal integers: (), (n,), (a, b), (a, b,).
  llvm::Expected<Shape> parseShape() {
    Shape shape;
    bool trailingComma = false;
    if (!consume('(', true))
      return fail("shape must be a tuple");
    while (true) {
      skipSpace();
      if (consume(')'))
        break;
      trailingComma = false;
      size_t digits = 0;
      while (digits < text_.size() && text_[digits] >= '0' && text_[digits] <= '9')
        ++digits;
      if (digits == 0)
        return fail("shape entries must be non-negative integers");
      int64_t value = 0;
      for (char c : text_.take_front(digits)) {
        if (value > (INT64_MAX - (c - '0')) / 10)
          return fail("shape entry overflows");
        value = value * 10 + (c - '0');
      }
      text_ = text_.drop_front(digits);
      shape.push_back(value);
      skipSpace();
      if (consume(')'))
        break;
      if (!consume(','))
        return fail("expected ',' or ')' in shape");
      trailingComma = true;
    }
    // Python spells a 1-tuple "(n,)"; "(n)" is an int, not a tuple.
    if (shape.size() == 1 && !trailingComma)
      return fail("shape '(n)' is not a tuple; expected '(n,)'");
    return shape;
  }

  static std::optional<DType> dtypeForDescr(llvm::StringRef descr) {
    for (const DescrEntry &entry : kDescrs)
      if (entry.descr == descr)
        return entry.dtype;
    return std::nullopt;
  }

  llvm::StringRef text_;
  llvm::StringRef name_;
};

uint32_t readLittleEndian(llvm::StringRef bytes, size_t width) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  return value;
}
} // namespace

llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes, llvm::StringRef nameForErrors) {
  llvm::StringRef name = nameForErrors;
  if (!bytes.startswith(kMagic))
    return npyError(name, "bad magic");
  if (bytes.size() < kMagic.size() + 2)
    return npyError(name, "truncated before the version");
  uint8_t major = static_cast<uint8_t>(bytes[6]), minor = static_cast<uint8_t>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    return npyError(name, "unsupported format version " + llvm::Twine(unsigned(major)) + "." +
                              llvm::Twine(unsigned(minor)));
  size_t lengthWidth = major == 1 ? 2 : 4;
  size_t prefix = kMagic.size() + 2 + lengthWidth;
  if (bytes.size() < prefix)
    return npyError(name, "truncated before the header length");
  uint64_t headerLength = readLittleEndian(bytes.drop_front(8), lengthWidth);
  if (headerLength > bytes.size() - prefix)
    return npyError(name, "header length " + llvm::Twine(headerLength) + " exceeds the file");
  llvm::StringRef headerText = bytes.substr(prefix, headerLength);
  if (!headerText.endswith("\n"))
    return npyError(name, "header does not end with a newline");
  // Versions 1 and 2 are latin-1; vkqc only needs ASCII in all versions.
  for (char c : headerText)
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\0')
      return npyError(name, "header is not ASCII");

  auto header = HeaderParser(headerText.drop_back(), name).parse();
  if (!header)
    return header.takeError();

  // Overflow-checked byte count, compared with what the file holds before allocating.
  // Zeros are skipped as numpy does, so no order of multiplying the shape overflows int64
  // (numelOf multiplies left to right: (3, 2^62, 0) overflowed before reaching the 0).
  uint64_t elementSize = dtypeSize(header->dtype);
  uint64_t dataBytes = elementSize;
  bool empty = false;
  for (int64_t d : header->shape) {
    if (d == 0) {
      empty = true;
      continue;
    }
    if (dataBytes > static_cast<uint64_t>(INT64_MAX) / static_cast<uint64_t>(d))
      return npyError(name, "shape overflows");
    dataBytes *= static_cast<uint64_t>(d);
  }
  if (empty)
    dataBytes = 0;
  llvm::StringRef data = bytes.drop_front(prefix + headerLength);
  if (dataBytes != data.size())
    return npyError(name, "shape needs " + llvm::Twine(dataBytes) + " data bytes, file has " +
                              llvm::Twine(static_cast<uint64_t>(data.size())));

  Tensor tensor(header->dtype, header->shape);
  if (!data.empty())
    std::memcpy(tensor.mutableRaw(), data.data(), data.size());
  if (header->dtype == DType::Bool) // numpy bools may hold any nonzero byte
    for (int64_t i = 0; i < tensor.numel(); ++i)
      tensor.setInt(i, tensor.getInt(i));
  return tensor;
}

llvm::Expected<Tensor> readNpy(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), path + ": " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

llvm::Error writeNpy(llvm::StringRef path, const Tensor &t) {
  std::optional<llvm::StringRef> descr;
  for (const DescrEntry &entry : kDescrs)
    if (entry.dtype == t.dtype())
      descr = entry.descr;
  if (!descr)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": numpy has no dtype for " +
                                       std::string(dtypeName(t.dtype())));

  std::string header;
  llvm::raw_string_ostream os(header);
  os << "{'descr': '" << *descr << "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape().size(); ++i)
    os << (i ? ", " : "") << t.shape()[i];
  os << (t.shape().size() == 1 ? ",), }" : "), }");
  os.flush();
  // Pad with spaces so that magic + version + length + header is a multiple of 64.
  size_t unpadded = kMagic.size() + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  if (header.size() > 0xffff)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": npy header too long");

  int fd;
  llvm::SmallString<256> tempPath;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, tempPath))
    return llvm::createStringError(ec, path + ": cannot create a temporary file: " + ec.message());
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << kMagic;
    out << static_cast<char>(1) << static_cast<char>(0);
    out << static_cast<char>(header.size() & 0xff) << static_cast<char>(header.size() >> 8);
    out << header;
    out.write(static_cast<const char *>(t.raw()), t.byteSize());
    out.close();
    if (out.has_error()) {
      std::error_code ec = out.error();
      out.clear_error();
      llvm::sys::fs::remove(tempPath);
      return llvm::createStringError(ec, path + ": write failed: " + ec.message());
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tempPath, path)) {
    llvm::sys::fs::remove(tempPath);
    return llvm::createStringError(ec, path + ": rename failed: " + ec.message());
  }
  return llvm::Error::success();
}

} // namespace vkqc::interp
