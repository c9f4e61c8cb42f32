// The interned op kind: one enumerator per row of the op table (Ops.def), in table order.
// Code names an op by its kind (`n->is(OpKind::aten_linear_default)`), never by its target
// string, so a misspelt op is a compile error and every use of an op is one grep away.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vkqc {

enum class OpKind : uint16_t {
#define VKQC_OP(KIND, SCHEMA, EDGE, VULKAN, TENSORS, CPU, NOTE) KIND,
#include "compiler/ir/Ops.def"
};

/// How many rows the op table has.
inline constexpr size_t kNumOpKinds = 0
#define VKQC_OP(KIND, SCHEMA, EDGE, VULKAN, TENSORS, CPU, NOTE) +1
#include "compiler/ir/Ops.def"
    ;

} // namespace vkqc
