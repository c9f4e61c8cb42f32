// Kernels of the vkqc layout ops: int4 weights, scales and weight sums rearranged into
// the layouts the Vulkan kernels read (executorch-vulkan-facts §5). The interpreter runs
// them, and pack-weights runs the same functions on constants at compile time.
//
// A kernel returns its result's type and a writer of its bytes rather than the bytes: the
// compiler points the writer at the constant's place in the output file (no temporary copy
// of a weight), the interpreter at a new tensor (materialize).
#pragma once

#include "compiler/semantics/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <functional>

namespace vkqc::interp {

struct LayoutResult {
  DType dtype;
  Shape shape;
  /// Fills a buffer of exactly byteSize() bytes, every byte (padding included). It reads
  /// the source tensor, which must outlive the call.
  std::function<llvm::Error(llvm::MutableArrayRef<uint8_t> dst)> write;

  uint64_t byteSize() const { return static_cast<uint64_t>(numelOf(shape)) * dtypeSize(dtype); }
};

/// i8 [N, K] with values in [-8, 7] -> u8 [N, align8(K)/2]: low nibble = even k, q + 8.
llvm::Expected<LayoutResult> packQ4LinearWeight(const Tensor &weight);
/// i8 [N, K] with values in [-8, 7], K even -> u8 [N, K/2] as embedding_4bit reads it:
/// high nibble = even k, q + 8.
llvm::Expected<LayoutResult> packQ4EmbeddingWeight(const Tensor &weight);
/// i8 [N, K] -> i32 [K/groupSize, align8(N)]: per-group sums, zero padded along N.
llvm::Expected<LayoutResult> q4WeightSums(const Tensor &weight, int64_t groupSize);
/// [N, G] -> [G, alignUp(N, align)], zero padded.
llvm::Expected<LayoutResult> transposePadScales(const Tensor &scales, int64_t align);
/// u8 legacy embedding bytes (even element high) -> linear layout (even element low).
llvm::Expected<LayoutResult> swapNibbles(const Tensor &weight);

/// i8/u8 torchao Int4Tensor qdata [N, K/2] (signed nibbles) -> u8 [N, K/2] in the linear
/// layout (q + 8 nibbles); K must be a multiple of 8 (the linear layout's padding).
llvm::Expected<LayoutResult> int4TensorToQ4Linear(const Tensor &qdata);
/// [R, C] -> [R, alignUp(C, align)], zero padded (scales already [G, N]).
llvm::Expected<LayoutResult> padColumns(const Tensor &t, int64_t align);

/// A tensor computed some other way, as a layout whose writer copies its bytes.
LayoutResult layoutOf(Tensor computed);
/// The layout's bytes in a new tensor.
llvm::Expected<Tensor> materialize(llvm::Expected<LayoutResult> layout);

} // namespace vkqc::interp
