// A dense, contiguous (row-major) tensor for the reference interpreter.
//
// A Tensor either owns its bytes or views bytes owned elsewhere (a constant inside the
// mmapped archive). Views are read-only: mutableRaw() on a view is a programming error.
#pragma once

#include "compiler/ir/DType.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace vkqc::interp {

using Shape = std::vector<int64_t>;

/// Number of elements of a shape (1 for rank 0). The caller has checked for overflow.
int64_t numelOf(const Shape &shape);

class Tensor {
public:
  Tensor() = default;
  /// A zero-filled tensor that owns its storage.
  Tensor(DType dtype, Shape shape);
  /// A read-only view of `data`, which must outlive the tensor.
  static Tensor view(DType dtype, Shape shape, const void *data);

  DType dtype() const { return dtype_; }
  const Shape &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[i < 0 ? i + rank() : i]; }
  int64_t numel() const { return numelOf(shape_); }
  size_t byteSize() const { return static_cast<size_t>(numel()) * dtypeSize(dtype_); }
  bool defined() const { return data_ != nullptr || numel() == 0; }

  const void *raw() const { return data_; }
  void *mutableRaw();
  template <typename T> const T *data() const { return static_cast<const T *>(raw()); }
  template <typename T> T *mutableData() { return static_cast<T *>(mutableRaw()); }

  /// Element `i` (flat, row-major) converted to double / int64.
  double getDouble(int64_t i) const;
  int64_t getInt(int64_t i) const;
  /// Store `v` into element `i`, converting like a PyTorch cast to this dtype
  /// (round-to-nearest-even for f16/bf16/f32, truncation toward zero for integers,
  /// nonzero -> true for bool).
  void setDouble(int64_t i, double v);
  void setInt(int64_t i, int64_t v);

  /// Same bytes, new shape with the same element count (shares storage).
  Tensor reshaped(Shape shape) const;

private:
  DType dtype_ = DType::Float32;
  Shape shape_;
  std::shared_ptr<std::vector<uint8_t>> owned_;
  const void *data_ = nullptr;
  bool writable_ = false;
};

/// A float's IEEE bits, and the float of given bits.
uint32_t floatBits(float f);
float floatFromBits(uint32_t u);
/// IEEE half and bfloat16 conversions (round-to-nearest-even on the way down).
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t b);
uint16_t floatToBf16(float f);
/// Round a float to the precision of `dtype` (identity for f32/f64 and integers).
float roundToDType(float v, DType dtype);
/// Round a double to the precision of a float `dtype` the way PyTorch stores an opmath
/// result: through float for f32/f16/bf16 (with IEEE overflow), unchanged for f64 and
/// integer dtypes.
double roundToPrecision(double v, DType dtype);

} // namespace vkqc::interp
