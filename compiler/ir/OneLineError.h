// Errors whose text comes partly from an input file (JSON keys, zip entry names, .npy
// headers): control characters are escaped so a message is always one line, and a file
// cannot forge a second `vkqc: error:` line.
#pragma once

#include "llvm/Support/Error.h"

#include <string>

namespace vkqc {

/// `text` with every control character written as \xNN.
std::string escapeControlCharacters(llvm::StringRef text);

/// An error "<where>: <what>" made one line.
llvm::Error oneLineError(const llvm::Twine &where, const llvm::Twine &what);

} // namespace vkqc
