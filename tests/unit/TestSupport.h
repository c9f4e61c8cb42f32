// Helpers that let Catch2 assertions consume llvm::Error / llvm::Expected.
#pragma once

#include "compiler/ir/Graph.h"

#include "llvm/Support/Error.h"

#include <catch2/catch.hpp>

#include <iterator>
#include <string>

namespace vkqc::test {

/// The value of `e`, failing the test with the error's message when there is none.
template <typename T> T valueOrFail(llvm::Expected<T> e) {
  if (!e)
    FAIL(llvm::toString(e.takeError()));
  return std::move(*e);
}

/// The message of `err`, or "" on success (consumes the error either way).
inline std::string errorText(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string();
}

/// The message of a failed Expected; fails the test when it succeeded.
template <typename T> std::string errorOf(llvm::Expected<T> e) {
  if (e)
    FAIL("expected an error, got success");
  return llvm::toString(e.takeError());
}

/// The node at position `index` of the graph's order.
inline Node *nodeAt(const Graph &g, size_t index) {
  return std::next(g.nodes().begin(), static_cast<std::ptrdiff_t>(index))->get();
}

} // namespace vkqc::test
