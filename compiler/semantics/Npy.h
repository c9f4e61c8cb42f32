// NumPy .npy files: the interpreter's input/output format.
//
// Reading accepts format versions 1.0, 2.0 and 3.0, C order, little-endian (or '|')
// descrs for bool, u8, i8, i16, i32, i64, f16, f32 and f64. Every malformed or hostile
// file gives an Error, checked before anything is allocated.
#pragma once

#include "compiler/semantics/Tensor.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace vkqc::interp {

/// Parses the bytes of a .npy file; `nameForErrors` prefixes messages (usually the path).
llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes, llvm::StringRef nameForErrors);
llvm::Expected<Tensor> readNpy(llvm::StringRef path);
/// Writes format 1.0 (header padded to a multiple of 64 bytes like numpy) through a
/// temporary file renamed into place. bf16 has no numpy descr and is rejected.
llvm::Error writeNpy(llvm::StringRef path, const Tensor &t);

} // namespace vkqc::interp
