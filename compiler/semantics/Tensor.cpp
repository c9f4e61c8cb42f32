#include "compiler/semantics/Tensor.h"

#include <cassert>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

namespace vkqc::interp {

uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float floatFromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

namespace {
/// double -> float with IEEE overflow to infinity (a plain cast out of range is UB).
float doubleToFloat(double v) {
  // Halfway between FLT_MAX and the next (unrepresentable) float: ties go to infinity
  // because FLT_MAX's significand is odd.
  const double overflowThreshold = 0x1.ffffffp127;
  if (std::fabs(v) >= overflowThreshold)
    return v > 0 ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
  if (std::fabs(v) > FLT_MAX)
    return v > 0 ? FLT_MAX : -FLT_MAX;
  return static_cast<float>(v);
}

/// double -> int64 truncating toward zero, saturating (and NaN -> 0) where C++ would be UB.
int64_t doubleToInt64(double v) {
  if (std::isnan(v))
    return 0;
  if (v >= 0x1p63)
    return std::numeric_limits<int64_t>::max();
  if (v < -0x1p63)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

template <typename T> T load(const void *base, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t *>(base) + i * sizeof(T), sizeof(T));
  return v;
}

template <typename T> void store(void *base, int64_t i, T v) {
  std::memcpy(static_cast<uint8_t *>(base) + i * sizeof(T), &v, sizeof(T));
}
} // namespace

int64_t numelOf(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)),
      owned_(std::make_shared<std::vector<uint8_t>>(byteSize())), data_(owned_->data()),
      writable_(true) {}

Tensor Tensor::view(DType dtype, Shape shape, const void *data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.writable_ = false;
  return t;
}

void *Tensor::mutableRaw() {
  assert(writable_ && "mutableRaw() on a read-only view");
  return const_cast<void *>(data_);
}

double Tensor::getDouble(int64_t i) const {
  switch (dtype_) {
  case DType::Bool:
    return load<uint8_t>(data_, i) != 0 ? 1.0 : 0.0;
  case DType::UInt8:
    return load<uint8_t>(data_, i);
  case DType::Int8:
    return load<int8_t>(data_, i);
  case DType::Int16:
    return load<int16_t>(data_, i);
  case DType::Int32:
    return load<int32_t>(data_, i);
  case DType::Int64:
    return static_cast<double>(load<int64_t>(data_, i));
  case DType::Float16:
    return halfToFloat(load<uint16_t>(data_, i));
  case DType::Float32:
    return load<float>(data_, i);
  case DType::Float64:
    return load<double>(data_, i);
  case DType::BFloat16:
    return bf16ToFloat(load<uint16_t>(data_, i));
  }
  return 0.0;
}

int64_t Tensor::getInt(int64_t i) const {
  switch (dtype_) {
  case DType::Bool:
    return load<uint8_t>(data_, i) != 0 ? 1 : 0;
  case DType::UInt8:
    return load<uint8_t>(data_, i);
  case DType::Int8:
    return load<int8_t>(data_, i);
  case DType::Int16:
    return load<int16_t>(data_, i);
  case DType::Int32:
    return load<int32_t>(data_, i);
  case DType::Int64:
    return load<int64_t>(data_, i);
  default:
    return doubleToInt64(getDouble(i));
  }
}

void Tensor::setDouble(int64_t i, double v) {
  void *base = mutableRaw();
  switch (dtype_) {
  case DType::Bool:
    // NaN is nonzero, so it becomes true like in PyTorch.
    store<uint8_t>(base, i, v != 0.0 ? 1 : 0);
    return;
  case DType::Float16:
    // PyTorch converts double to half through float; so do we (same double rounding).
    store<uint16_t>(base, i, floatToHalf(doubleToFloat(v)));
    return;
  case DType::Float32:
    store<float>(base, i, doubleToFloat(v));
    return;
  case DType::Float64:
    store<double>(base, i, v);
    return;
  case DType::BFloat16:
    store<uint16_t>(base, i, floatToBf16(doubleToFloat(v)));
    return;
  default:
    setInt(i, doubleToInt64(v));
    return;
  }
}

void Tensor::setInt(int64_t i, int64_t v) {
  void *base = mutableRaw();
  switch (dtype_) {
  case DType::Bool:
    store<uint8_t>(base, i, v != 0 ? 1 : 0);
    return;
  // Integer narrowing wraps modulo 2^bits like a PyTorch cast.
  case DType::UInt8:
    store<uint8_t>(base, i, static_cast<uint8_t>(v));
    return;
  case DType::Int8:
    store<int8_t>(base, i, static_cast<int8_t>(static_cast<uint8_t>(v)));
    return;
  case DType::Int16:
    store<int16_t>(base, i, static_cast<int16_t>(static_cast<uint16_t>(v)));
    return;
  case DType::Int32:
    store<int32_t>(base, i, static_cast<int32_t>(static_cast<uint32_t>(v)));
    return;
  case DType::Int64:
    store<int64_t>(base, i, v);
    return;
  default:
    setDouble(i, static_cast<double>(v));
    return;
  }
}

Tensor Tensor::reshaped(Shape shape) const {
  assert(numelOf(shape) == numel() && "reshaped() must keep the element count");
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24 is exact in float.
    float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) // inf / NaN keep their payload
    return floatFromBits(sign | 0x7f800000 | (mantissa << 13));
  return floatFromBits(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

uint16_t floatToHalf(float f) {
  uint32_t bits = floatBits(f);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) // NaN: a quiet NaN of the same sign
    return sign | 0x7e00;
  if (magnitude >= 0x477ff000) // >= 65520 rounds to infinity
    return sign | 0x7c00;
  if (magnitude < 0x38800000) {
    // Below 2^-14 the result is a half subnormal counted in units of 2^-24; scaling by a
    // power of two is exact, and nearbyint rounds half to even (default rounding mode).
    float units = std::nearbyint(std::fabs(f) * 0x1p24f);
    return sign | static_cast<uint16_t>(units);
  }
  // Normal: drop 13 mantissa bits with round-half-even; a carry correctly bumps the exponent.
  uint32_t rounded = magnitude + 0xfff + ((magnitude >> 13) & 1);
  return sign | static_cast<uint16_t>((rounded >> 13) - ((127 - 15) << 10));
}

float bf16ToFloat(uint16_t b) { return floatFromBits(static_cast<uint32_t>(b) << 16); }

uint16_t floatToBf16(float f) {
  uint32_t bits = floatBits(f);
  if ((bits & 0x7fffffff) > 0x7f800000) // NaN: quiet NaN of the same sign
    return static_cast<uint16_t>((bits >> 16) | 0x0040);
  uint32_t rounded = bits + 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(rounded >> 16);
}

float roundToDType(float v, DType dtype) {
  switch (dtype) {
  case DType::Float16:
    return halfToFloat(floatToHalf(v));
  case DType::BFloat16:
    return bf16ToFloat(floatToBf16(v));
  default:
    return v;
  }
}

double roundToPrecision(double v, DType dtype) {
  if (dtype == DType::Float64 || !isFloatingPoint(dtype))
    return v;
  return roundToDType(doubleToFloat(v), dtype);
}

} // namespace vkqc::interp
