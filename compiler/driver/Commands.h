// The commands of the vkqc tool (compile, run, check, opt, inspect, passes, ops, targets):
// tools/vkqc.cpp parses the flags into CommandFlags and calls runCommand, which does the
// work and prints one error line on failure.
#pragma once

#include "compiler/driver/Optimize.h"
#include "compiler/driver/PassManager.h"

#include <optional>
#include <string>
#include <vector>

namespace vkqc {

enum class Command { Compile, Run, Check, Opt, Inspect, Passes, Ops, Targets };

/// What `compile` writes.
enum class EmitKind { Pte, Summary, VkIR, Dot };

/// The flags of every command, as given (docs: README.md, "Using vkqc").
struct CommandFlags {
  // Input and output.
  std::string inputPath;   // compile, run, check: the model (run: or a .pte)
  std::string outputPath;  // -o
  std::string optInput;    // opt: the .vkir text ("-": stdin)
  std::string archivePath; // opt --archive
  bool splitInputFile = false;
  std::vector<std::string> inputTensors;  // --input
  std::vector<std::string> expectTensors; // check --expect
  std::string dumpValues;                 // run --dump-values
  std::optional<EmitKind> emit;           // absent: from --compile-to and -o
  bool noProgress = false;
  std::string emitSpirvDir;
  // Pipeline and lowering.
  PipelineOptions pipeline;
  PassOptions passOptions;
  bool verifyNumerics = false;
  bool verifyWeightCrc = true;
  ReportFormat report = ReportFormat::None;
  std::string reportFile;
  // Vulkan execution and checking.
  unsigned deviceIndex = 0;
  bool listDevices = false;
  std::optional<double> minCosine, maxError;
  // inspect and passes.
  std::string ptePath;
  bool inspectJson = false;
  bool passesMarkdown = false;
};

/// Runs `command`; returns the process's exit status.
int runCommand(Command command, const CommandFlags &flags);

} // namespace vkqc
