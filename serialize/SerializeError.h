// The one error shape of the serialization layer: "<where>: <what>".
#pragma once

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <string>

namespace vkqc::serialize {

/// An error naming the place (a file region, a table, a field) and the problem. The text
/// may quote a file's strings (named-data keys): control characters are written as \xNN,
/// so that the message stays one line (as compiler/ir/OneLineError.h does for the importer).
inline llvm::Error serializeError(const llvm::Twine &where, const llvm::Twine &what) {
  static const char kHex[] = "0123456789abcdef";
  std::string text;
  for (char c : (where + ": " + what).str()) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      text += "\\x";
      text += kHex[(c >> 4) & 0xf];
      text += kHex[c & 0xf];
    } else {
      text += c;
    }
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(), text);
}

} // namespace vkqc::serialize
