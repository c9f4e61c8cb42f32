// The binding check of select-kernels, shared with its tests.
#pragma once

#include "compiler/ir/Graph.h"
#include "shaders/ShaderTypes.h"

#include "llvm/Support/Error.h"

namespace vkqc {

/// Checks that each (binding, tensor) pair matches the element type `variant` declares
/// for that binding; the error names the node, the binding and both types.
llvm::Error checkKernelBindings(const Node &n, const shaders::ShaderVariant &variant,
                                llvm::ArrayRef<std::pair<unsigned, const Value *>> bindings);

} // namespace vkqc
