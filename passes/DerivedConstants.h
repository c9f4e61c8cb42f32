// Constants in another layout or dtype, made through the pool's one registry.
//
// Used by pack-weights (int4 packing, scale transposes, weight sums) and legalize-dtypes
// (casts of float constants). The same source in the same layout is made once and shared:
// a tied weight packed for two users is packed once.
#pragma once

#include "compiler/ir/Parser.h"
#include "compiler/ir/Rewriter.h"
#include "compiler/pass/Pass.h"
#include "compiler/semantics/LayoutKernels.h"

#include <functional>

namespace vkqc {

struct DerivedConstant {
  Value *value;
  bool reused; // the registry already held this layout of this source
};

/// The derived layout of a source constant: its type and a writer of its bytes (straight
/// into the output file when the program is written).
using ConstantTransform =
    std::function<llvm::Expected<interp::LayoutResult>(const interp::Tensor &)>;

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

/// The transform of a vkqc layout op over a constant (vkqc.pack_q4_linear_weight,
/// vkqc.transpose_pad_scales, ...; Ops.def), or nullopt for any other op.
std::optional<ConstantTransform> layoutOpTransform(const Node &n);
/// Whether the layout op's result is a quantity computed from the weight (weight sums)
/// rather than the weight in another layout.
DerivedKind layoutOpKind(const Node &n);
/// The layout pack-weights names a layout op's result after: the op and its integer
/// arguments (`transpose_pad_scales_align4`, `q4_weight_sums_group_size32`).
std::string layoutOpName(const Node &n);

/// How a derived storage of a .vkir text is made again from its source (`vkqc opt`): the
/// layout its tag names, as deriveConstant writes tags (`pack_q4_linear_weight(i8[64, 32]+0)`,
/// `cast_f32(bf16[64]+128)`: layout, the source constant's type, its byte offset), checked
/// to make `size` bytes. Fails for a tag no pass writes.
llvm::Expected<DerivedLayout> rebuildDerivedLayout(const Storage &source, llvm::StringRef tag,
                                                   uint64_t size);

/// Notes in the report every source storage now read in more than one layout (a copy
/// was made for the second layout rather than changing the first in place).
void reportSecondLayouts(const Graph &g, PassContext &ctx, llvm::StringRef pass);

} // namespace vkqc
