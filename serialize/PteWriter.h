// Writes a PteProgram as an ExecuTorch .pte file: the Program flatbuffer
// ("ET12"), the "eh00" extended header when there is segment data, then the
// segments, each at a 128-byte boundary. Same program -> same bytes.
#pragma once

#include "serialize/PteProgram.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace vkqc::serialize {

/// The bytes of the .pte file for `program`.
llvm::Expected<std::vector<uint8_t>> serializePte(const PteProgram &program);

/// Called as segments are written: bytes done so far and the file's total (any thread).
using WriteProgress = std::function<void(uint64_t done, uint64_t total)>;

/// Called once every byte is written, just before the file takes its path: an error
/// discards the file and is returned as it is (the compiler joins the input's CRC-32
/// checks here, so that they run beside the whole write).
using BeforeCommit = std::function<llvm::Error()>;

class OldOutput;

/// Writes the .pte file atomically: the bytes go to a temporary file that is
/// renamed to `path` only when complete; on failure nothing is left behind. A large
/// file is written over `old`'s file where it holds one (OutputFile.h).
llvm::Error writePte(const PteProgram &program, llvm::StringRef path,
                     const WriteProgress &progress = nullptr, OldOutput *old = nullptr,
                     const BeforeCommit &beforeCommit = nullptr);

} // namespace vkqc::serialize
