// Null-tolerant accessors for verified flatbuffers: absent optional fields
// read as empty, the way the runtime treats them.
#pragma once

#include "flatbuffers/flatbuffers.h"

#include <string>
#include <vector>

namespace vkqc::serialize {

inline std::string stringOrEmpty(const flatbuffers::String *text) {
  return text ? text->str() : std::string();
}

template <typename T> std::vector<T> vectorOrEmpty(const flatbuffers::Vector<T> *items) {
  return items ? std::vector<T>(items->begin(), items->end()) : std::vector<T>();
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
