// Element types of tensors, and the two integer numberings PyTorch uses for them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace vkqc {

enum class DType {
#define VKQC_DTYPE(E, NAME, BYTES, SERDE, C10) E,
#include "compiler/ir/DTypes.def"
};

/// Short name used in the text IR and in messages: "f32", "bf16", "i8", ...
std::string_view dtypeName(DType t);
/// Size of one element in bytes.
size_t dtypeSize(DType t);
bool isFloatingPoint(DType t);
bool isIntegral(DType t); // includes Bool

/// torch.export serde ScalarType code (model.json) -> DType; nullopt for codes vkqc
/// does not support (complex, float8, unknown).
std::optional<DType> dtypeFromSerdeCode(long long code);
/// c10::ScalarType code (op schema defaults) -> DType.
std::optional<DType> dtypeFromC10Code(long long code);
std::optional<DType> dtypeFromName(std::string_view name);
long long serdeCode(DType t);
/// c10::ScalarType code (also ExecuTorch's ScalarType in .pte files).
long long c10Code(DType t);

} // namespace vkqc
