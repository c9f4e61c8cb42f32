// The compile job shared by `vkqc compile`, `vkqc run` and `vkqc check`: import, then the
// pass pipeline, with optional numerics verification after every stage.
#pragma once

#include "compiler/driver/PassManager.h"
#include "compiler/import/ExportImporter.h"
#include "compiler/interp/Interpreter.h"

namespace vkqc {

struct CompileRequest {
  std::string modelPath;
  PipelineOptions pipeline;
  PassOptions options;
  /// --verify-numerics: interpret after every stage on these inputs.
  bool verifyNumerics = false;
  std::vector<interp::Tensor> numericsInputs;
};

struct CompiledModel {
  ImportedModel model; // the graph and the archive its constants view
  PassContext context; // the report
  /// How closely this program may follow the source program's results (decided from
  /// the source's dtypes and the compute dtype, before any pass ran).
  interp::Tolerance tolerance;
};

/// Checks the request's flags (pipeline, target) without reading the model.
llvm::Error validateRequest(const CompileRequest &request);

/// Imports and runs the pipeline. Dumps, timings and numerics lines go to `log`.
llvm::Expected<CompiledModel> compileModel(const CompileRequest &request, llvm::raw_ostream &log);

/// Reads each path as a .npy tensor (errors name the file).
llvm::Expected<std::vector<interp::Tensor>> readInputTensors(llvm::ArrayRef<std::string> paths);

} // namespace vkqc
