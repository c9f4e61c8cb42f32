#include "compiler/driver/Compile.h"

#include "compiler/driver/NumericsCheck.h"
#include "compiler/semantics/Npy.h"
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

namespace {
/// Whether the pipeline prints the IR (to the log or a dump tree): the weights then show,
/// through their checksums and what the passes made of them, before the pipeline ends.
bool printsIR(const PipelineOptions &p) {
  return !p.printBefore.empty() || !p.printAfter.empty() || p.printAfterAll || p.printAfterChange ||
         p.printAfterFailure || !p.printTreeDir.empty();
}
} // namespace

llvm::Expected<CompiledModel> compileModel(const CompileRequest &request, llvm::raw_ostream &log) {
  if (auto err = validateRequest(request))
    return err;
  ArchiveOptions archiveOptions;
  archiveOptions.verifyWeightCrc = request.verifyWeightCrc;
  llvm::Expected<ImportedModel> model = importModel(request.modelPath, archiveOptions);
  if (!model)
    return model.takeError();
  CompiledModel compiled{std::move(*model), PassContext{}, {}};
  compiled.context.options = request.options;
  compiled.tolerance = perPassTolerance(*compiled.model.graph, request.options);

  // The weights' CRC-32 checks run in the background from import on (ModelArchive.h).
  std::optional<NumericsChecker> checker;
  if (request.verifyNumerics)
    checker.emplace(request.numericsInputs, compiled.tolerance, log);
  bool joinAfterImport = request.verifyNumerics || printsIR(request.pipeline);
  StageHook hook;
  if (joinAfterImport)
    hook = [&](const Graph &g, llvm::StringRef stage) -> llvm::Error {
      if (stage == "import")
        if (auto err = verifyInputIntegrity(compiled))
          return err;
      return checker ? checker->check(g, stage) : llvm::Error::success();
    };
  llvm::Error err =
      runPipeline(*compiled.model.graph, request.pipeline, compiled.context, log, hook);
  if (!err && !request.callerVerifiesIntegrity && !joinAfterImport)
    err = verifyInputIntegrity(compiled);
  if (err)
    return err;
  return compiled;
}

llvm::Error verifyInputIntegrity(CompiledModel &compiled) {
  return compiled.model.archive->verifyIntegrity();
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
