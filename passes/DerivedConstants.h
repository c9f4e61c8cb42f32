// Constants in another layout or dtype, made through the pool's one registry.
//
// Used by pack-weights (int4 packing, scale transposes, weight sums) and legalize-dtypes
// (casts of float constants). The same source in the same layout is made once and shared:
// a tied weight packed for two users is packed once.
#pragma once

#include "compiler/interp/LayoutKernels.h"
#include "compiler/ir/Rewriter.h"
#include "passes/Pass.h"

#include <functional>

namespace vkqc {

struct DerivedConstant {
  Value *value;
  bool reused; // the registry already held this layout of this source
};

/// The derived layout of a source constant: its type and a writer of its bytes (straight
/// into the output file when the program is written).
using ConstantTransform = std::function<llvm::Expected<interp::LayoutResult>(const interp::Tensor &)>;

/// What a transform produces: the derived constant's type, known before any byte is made.
struct DerivedType {
  DType dtype;
  std::vector<int64_t> shape;
};

/// The constant `source` transformed by `transform` into `layout`, as a constant input
/// named after `nameHint`. The first request registers a derived storage whose bytes are
/// produced on demand (streamed into the output when the program is written); later
/// requests return the existing constant value.
llvm::Expected<DerivedConstant> deriveConstant(Rewriter &rw, const Value *source,
                                               llvm::StringRef layout, DerivedKind kind,
                                               llvm::StringRef nameHint, const DerivedType &type,
                                               ConstantTransform transform);

/// Notes in the report every source storage now read in more than one layout (a copy
/// was made for the second layout rather than changing the first in place).
void reportSecondLayouts(const Graph &g, PassContext &ctx, llvm::StringRef pass);

} // namespace vkqc
