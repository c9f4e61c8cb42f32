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
  /// Check the CRC-32 of every weight entry the program reads (`--no-verify-crc`: false).
  bool verifyWeightCrc = true;
  /// The caller joins the weights' CRC-32 checks (verifyInputIntegrity) just before it
  /// commits its output, so that they run beside the lowering and the write too. Else
  /// compileModel joins them before it returns, or right after import when IR dumps or
  /// --verify-numerics would show the weights' effects first.
  bool callerVerifiesIntegrity = false;
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

/// Waits for the CRC-32 checks of the model's weight entries (ModelArchive::verifyIntegrity):
/// "<entry>: CRC-32 mismatch (stored 0x..., computed 0x...)". Nothing made from the weights
/// may be committed before it succeeded.
llvm::Error verifyInputIntegrity(CompiledModel &compiled);

/// Reads each path as a .npy tensor (errors name the file).
llvm::Expected<std::vector<interp::Tensor>> readInputTensors(llvm::ArrayRef<std::string> paths);

} // namespace vkqc
