#include "compiler/driver/Compile.h"

#include "compiler/driver/NumericsCheck.h"
#include "compiler/interp/Npy.h"
#include "compiler/target/Target.h"

namespace vkqc {

llvm::Error validateRequest(const CompileRequest &request) {
  if (llvm::Expected<std::vector<const PassInfo *>> p = resolvePipeline(request.pipeline); !p)
    return p.takeError();
  if (llvm::Expected<const Target *> t = lookupTarget(request.options.target); !t)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--target: " + llvm::toString(t.takeError()));
  if (request.verifyNumerics && request.numericsInputs.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--verify-numerics: give the program's inputs with --input");
  return llvm::Error::success();
}

llvm::Expected<CompiledModel> compileModel(const CompileRequest &request, llvm::raw_ostream &log) {
  if (auto err = validateRequest(request))
    return std::move(err);
  llvm::Expected<ImportedModel> model = importModel(request.modelPath);
  if (!model)
    return model.takeError();
  CompiledModel compiled{std::move(*model), PassContext{}, {}};
  compiled.context.options = request.options;
  compiled.tolerance = perPassTolerance(*compiled.model.graph, request.options);

  std::optional<NumericsChecker> checker;
  StageHook hook;
  if (request.verifyNumerics) {
    checker.emplace(request.numericsInputs, compiled.tolerance, log);
    hook = [&](const Graph &g, llvm::StringRef stage) { return checker->check(g, stage); };
  }
  if (auto err = runPipeline(*compiled.model.graph, request.pipeline, compiled.context, log, hook))
    return std::move(err);
  return compiled;
}

llvm::Expected<std::vector<interp::Tensor>> readInputTensors(llvm::ArrayRef<std::string> paths) {
  std::vector<interp::Tensor> tensors;
  for (const std::string &path : paths) {
    llvm::Expected<interp::Tensor> t = interp::readNpy(path);
    if (!t)
      return t.takeError();
    tensors.push_back(std::move(*t));
  }
  return tensors;
}

} // namespace vkqc
