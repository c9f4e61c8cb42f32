// Fuzzes `vkqc run model.pte --input x.npy`: a compiled program and its input, mutated
// together. The input is [u32 little-endian n][n bytes: the .npy][the rest: the .pte]
// (make_seeds.py --pack-run-pte writes it); the .npy is parsed (interp::parseNpy), the
// .pte read (serialize::readPte) and run on the Vulkan device (vk::runPte: delegates on
// lavapipe, KernelCalls on the interpreter), as `vkqc run` does.
//
// Vulkan work per input stays small: one context for the whole run (pipelines are built
// once), and inputs of more than kMaxInputElements elements are skipped. Everything the
// program itself asks for (its sizes, its plan) is the reader's and executor's to bound.
#include "tests/fuzz/FuzzSupport.h"

#include "compiler/semantics/Npy.h"
#include "runtime/PteExecutor.h"
#include "serialize/PteReader.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace vkqc;

namespace {
constexpr int64_t kMaxInputElements = 4096;

vk::VulkanContext &context() {
  static std::unique_ptr<vk::VulkanContext> shared = [] {
    llvm::Expected<std::unique_ptr<vk::VulkanContext>> c = vk::VulkanContext::create();
    if (!c) {
      std::fprintf(stderr, "fuzz: no Vulkan device: %s\n", llvm::toString(c.takeError()).c_str());
      std::abort();
    }
    return std::move(*c);
  }();
  return *shared;
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  context();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  uint32_t npySize;
  std::memcpy(&npySize, data, 4);
  size_t npyBytes = std::min<size_t>(npySize, size - 4);
  llvm::StringRef npy(reinterpret_cast<const char *>(data + 4), npyBytes);
  llvm::ArrayRef<uint8_t> pte(data + 4 + npyBytes, size - 4 - npyBytes);

  llvm::Expected<interp::Tensor> input = interp::parseNpy(npy, "fuzz.npy");
  if (!input) {
    fuzz::checkErrorMessage(input.takeError());
    return 0;
  }
  if (input->numel() > kMaxInputElements)
    return 0;
  llvm::Expected<serialize::PteView> view = serialize::readPte(pte);
  if (!view) {
    fuzz::checkErrorMessage(view.takeError());
    return 0;
  }
  llvm::Expected<std::vector<interp::Tensor>> outputs = vk::runPte(*view, pte, *input, context());
  if (!outputs)
    fuzz::checkErrorMessage(outputs.takeError());
  return 0;
}
