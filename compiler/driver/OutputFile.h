// Writing results so that a failed or interrupted run never leaves a partial file.
#pragma once

#include "llvm/Support/Error.h"

#include <functional>

namespace vkqc {

/// Writes `size` bytes produced by `fill` to `path` through a temporary file that is
/// renamed into place only when `fill` succeeds. Errors are "<path>: <what>".
llvm::Error writeFileAtomically(llvm::StringRef path, size_t size,
                                const std::function<llvm::Error(uint8_t *)> &fill);
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

} // namespace vkqc
