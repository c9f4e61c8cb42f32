// The values of every variant axis named in Shaders.def: the suffix each adds to the
// variant name, the macros it defines for the GLSL, and the element types it fixes.
#pragma once

#include "shaders/ShaderTypes.h"

#include "llvm/ADT/Optional.h"

#include <string>
#include <utility>
#include <vector>

namespace vkqc::shaders {

/// Element types that binding declarations refer to by role (DTYPE, SCALES_DTYPE, ZP_DTYPE,
/// MASK_DTYPE, IN_DTYPE).
struct TypeRoles {
  ElementType dtype = ElementType::Float32;
  ElementType scalesDtype = ElementType::Float16;
  llvm::Optional<ElementType> zpDtype;        // unset: the zero point inherits DTYPE
  ElementType inDtype = ElementType::Float32; // IN_DTYPE: the input of a converting copy
  /// The attention mask binding (MASK_DTYPE): none in nomask variants, bool bytes read as
  /// uint32 words, or DTYPE for an additive float mask.
  enum class Mask { Absent, BoolWords, Dtype } mask = Mask::Absent;
};

struct AxisValue {
  std::string suffix; // empty: the value adds nothing to the name
  std::vector<std::pair<std::string, std::string>> macros;
  void (*setRoles)(TypeRoles &) = nullptr;
};

/// The values of `axis`, in name order; an error for an unknown axis.
llvm::Expected<const std::vector<AxisValue> *> axisValues(llvm::StringRef axis);

} // namespace vkqc::shaders
