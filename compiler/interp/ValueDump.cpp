#include "compiler/interp/ValueDump.h"

#include "compiler/semantics/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace vkqc::interp {

llvm::Expected<std::unique_ptr<ValueDumper>> ValueDumper::create(llvm::StringRef dir) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError(ec, "cannot create the directory: " + ec.message());
  return std::unique_ptr<ValueDumper>(new ValueDumper(dir.str()));
}

TensorObserver ValueDumper::observer() {
  return [this](const Value &result, const Tensor &tensor) {
    if (failed_)
      return;
    llvm::SmallString<256> path(dir_);
    llvm::sys::path::append(path, result.name + ".npy");
    if (llvm::Error err = writeNpy(path, tensor)) {
      error_ = std::move(err);
      failed_ = true;
      return;
    }
    ++written_;
  };
}

llvm::Error ValueDumper::finish() { return std::move(error_); }

} // namespace vkqc::interp
