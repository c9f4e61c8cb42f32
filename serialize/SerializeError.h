// The one error shape of the serialization layer: "<where>: <what>".
#pragma once

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace vkqc::serialize {

/// An error naming the place (a file region, a table, a field) and the problem.
inline llvm::Error serializeError(const llvm::Twine &where, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), where + ": " + what);
}

} // namespace vkqc::serialize
