#include "compiler/ir/DType.h"

namespace vkqc {

namespace {
struct DTypeInfo {
  DType type;
  std::string_view name;
  size_t bytes;
  long long serde;
  long long c10;
};

constexpr DTypeInfo kDTypes[] = {
#define VKQC_DTYPE(E, NAME, BYTES, SERDE, C10) {DType::E, NAME, BYTES, SERDE, C10},
#include "compiler/ir/DTypes.def"
};

const DTypeInfo &info(DType t) { return kDTypes[static_cast<int>(t)]; }
} // namespace

std::string_view dtypeName(DType t) { return info(t).name; }
size_t dtypeSize(DType t) { return info(t).bytes; }

bool isFloatingPoint(DType t) {
  return t == DType::Float16 || t == DType::Float32 || t == DType::Float64 || t == DType::BFloat16;
}
bool isIntegral(DType t) { return !isFloatingPoint(t); }

std::optional<DType> dtypeFromSerdeCode(long long code) {
  for (const DTypeInfo &d : kDTypes)
    if (d.serde == code)
      return d.type;
  return std::nullopt;
}

std::optional<DType> dtypeFromC10Code(long long code) {
  for (const DTypeInfo &d : kDTypes)
    if (d.c10 == code)
      return d.type;
  return std::nullopt;
}

std::optional<DType> dtypeFromName(std::string_view name) {
  for (const DTypeInfo &d : kDTypes)
    if (d.name == name)
      return d.type;
  return std::nullopt;
}

long long serdeCode(DType t) { return info(t).serde; }
long long c10Code(DType t) { return info(t).c10; }

} // namespace vkqc
