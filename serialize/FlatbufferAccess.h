// Null-tolerant accessors for verified flatbuffers: absent optional fields
// read as empty, the way the runtime treats them.
#pragma once

#include "flatbuffers/flatbuffers.h"

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace vkqc::serialize {

inline std::string stringOrEmpty(const flatbuffers::String *text) {
  return text ? text->str() : std::string();
}

/// The elements of a vector of scalars, or of offsets. Scalars are copied as bytes: the
/// verifier (flatbuffers 2.0.8) checks that a vector's length is 4-byte aligned, not that
/// its elements are aligned for their type, so a crafted file can put a [long] or
/// [double] at an address that is no multiple of 8, and loading them as such is undefined
/// (found by fuzz_pte: tests/fuzz/regressions/pte/misaligned-int64-vector.pte).
template <typename T> std::vector<T> vectorOrEmpty(const flatbuffers::Vector<T> *items) {
  if (!items)
    return {};
  if constexpr (std::is_scalar_v<T>) {
    std::vector<T> values(items->size());
    if (!values.empty())
      std::memcpy(values.data(), items->Data(), values.size() * sizeof(T));
    for (T &v : values)
      v = flatbuffers::EndianScalar(v);
    return values;
  } else {
    return std::vector<T>(items->begin(), items->end());
  }
}

/// Elements of a vector that may be absent, for range-for loops.
template <typename T> auto elementsOf(const flatbuffers::Vector<T> *items) {
  struct Range {
    const flatbuffers::Vector<T> *items;
    auto begin() const { return items ? items->begin() : decltype(items->begin())(); }
    auto end() const { return items ? items->end() : decltype(items->end())(); }
  };
  return Range{items};
}

} // namespace vkqc::serialize

namespace vkqc::serialize {

/// Runs the generated `verify` (e.g. VerifyProgramBuffer) over [data, +size).
/// Sizes a flatbuffer cannot have fail here: the Verifier asserts on them.
template <typename VerifyFunction>
bool verifyFlatbuffer(const uint8_t *data, size_t size, VerifyFunction verify) {
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return false;
  flatbuffers::Verifier verifier(data, size);
  return verify(verifier);
}

} // namespace vkqc::serialize
