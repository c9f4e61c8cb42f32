#include "compiler/ir/OneLineError.h"

namespace vkqc {

std::string escapeControlCharacters(llvm::StringRef text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

llvm::Error oneLineError(const llvm::Twine &where, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 escapeControlCharacters((where + ": " + what).str()));
}

} // namespace vkqc
