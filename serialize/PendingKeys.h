// Pending named-data keys, resolved once the bytes are written (NamedDataStore::addPending).
//
// A pending key has the final key's length, so the file's layout does not change when
// the keys are put in: the writer writes every segment, hashes the pending ones from the
// bytes it just wrote, and rewrites only the parts that hold keys (the Program flatbuffer
// and the delegate blobs). When two pending entries turn out to hold identical bytes, the
// resolved program stores them once and is written again; the file is the same either
// way as if every key had been known from the start.
#pragma once

#include "serialize/PteProgram.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace vkqc::serialize {

/// Whether a named-data entry of `program` still has a pending key.
bool hasPendingKeys(const PteProgram &program);

/// `program` with the pending key of named-data entry i replaced by `keys[i]` (the SHA-256
/// of its bytes; entries whose key is final are left as they are, whatever `keys` holds)
/// in the named data and in every delegate blob, identical bytes stored once.
llvm::Expected<PteProgram> resolvePendingKeys(const PteProgram &program,
                                              const std::vector<std::string> &keys);

} // namespace vkqc::serialize
