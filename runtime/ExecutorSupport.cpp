#include "runtime/ExecutorSupport.h"

#include "compiler/ir/OneLineError.h"

namespace vkqc::vk::exec {

using namespace serialize;

// Messages quote the file's strings (named-data keys, op names): one line whatever they hold.
llvm::Error execError(const llvm::Twine &where, const llvm::Twine &what) {
  return oneLineError(where, what);
}

llvm::Error wrap(const llvm::Twine &where, llvm::Error cause) {
  return execError(where, llvm::toString(std::move(cause)));
}

std::string dtypeText(DType t) { return std::string(dtypeName(t)); }

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

std::optional<DType> dtypeOfVk(VkDataType t) {
  switch (t) {
  case VkDataType::BOOL:
    return DType::Bool;
  case VkDataType::UINT8:
    return DType::UInt8;
  case VkDataType::INT8:
    return DType::Int8;
  case VkDataType::INT32:
    return DType::Int32;
  case VkDataType::INT64:
    return DType::Int64;
  case VkDataType::FLOAT16:
    return DType::Float16;
  case VkDataType::FLOAT32:
    return DType::Float32;
  case VkDataType::FLOAT64:
    return DType::Float64;
  default:
    return std::nullopt;
  }
}

llvm::Error checkShape(llvm::StringRef what, const Tensor &t, llvm::ArrayRef<int64_t> declared,
                       bool upperBounds) {
  if (t.rank() != static_cast<int64_t>(declared.size()))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + " has rank " + llvm::Twine(t.rank()) + " " +
                                       shapeText(t.shape()) + ", the program declares rank " +
                                       llvm::Twine(declared.size()) + " " + shapeText(declared));
  for (size_t d = 0; d < declared.size(); ++d) {
    int64_t n = t.dim(static_cast<int64_t>(d));
    if (upperBounds ? n > declared[d] : n != declared[d])
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          what + " " + shapeText(t.shape()) + ": dim " + llvm::Twine(d) + " is " + llvm::Twine(n) +
              (upperBounds ? ", above the program's upper bound " : ", the program fixes it at ") +
              llvm::Twine(declared[d]) + " " + shapeText(declared));
  }
  return llvm::Error::success();
}

} // namespace vkqc::vk::exec
