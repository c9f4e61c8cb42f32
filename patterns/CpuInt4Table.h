// The CPU side of an int4 table that stays off the GPU (a tied lm-head whose logits outgrow
// the --target's buffers, and the embedding that shares its table).
//
// ExecuTorch's CPU kernels read a packed 4-bit table only through
// quantized_decomposed.embedding_4bit, so a CPU embedding becomes that op and a CPU
// linear's weight is that op over every row: either way the table is stored once, packed
// (half the bytes of its int8 source), and a tied pair shares the one copy.
#pragma once

#include "patterns/QuantMatchers.h"

namespace vkqc {

/// `weight` as an int4 table embedding_4bit can hold (matchQ4WeightDequant, then its
/// guards: an even width, two values per byte, and groups of more than one value, its
/// dequantize_per_channel_group).
std::optional<Q4WeightDequant> matchCpuInt4Table(const Value *weight, MatchTrace &why);

/// quantized_decomposed.embedding_4bit(pack_q4_embedding_weight(q), scales, None, -8, 7,
/// indices, dtype=outDType): the rows `indices` names, dequantized. `shape` is the result's.
Value *createCpuTableRows(Rewriter &rw, const Q4WeightDequant &w, Value *indices, DType outDType,
                          Dims shape, llvm::StringRef name);

} // namespace vkqc
