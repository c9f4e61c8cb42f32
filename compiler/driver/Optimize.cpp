#include "compiler/driver/Optimize.h"

#include "compiler/driver/Report.h"
#include "compiler/ir/OneLineError.h"
#include "compiler/ir/Printer.h"
#include "passes/DerivedConstants.h"

#include "llvm/Support/MemoryBuffer.h"

namespace vkqc {

namespace {
// The storages of the text: entries of the --archive, layouts made again from their source.
class ArchiveStorages : public StorageResolver {
public:
  ArchiveStorages(ModelArchive *archive, std::string archivePath)
      : archive_(archive), archivePath_(std::move(archivePath)) {}

  llvm::Expected<llvm::ArrayRef<uint8_t>> archiveEntry(llvm::StringRef entry) override {
    if (entry.startswith(
            "vkqc:")) // a constant a pass made; the printer writes the small ones inline
      return error("\"" + entry + "\" is a constant a pass made, larger than the " +
                   llvm::Twine(kMaxInlineStorageBytes) +
                   " B the text holds inline: the text has only its checksum");
    if (!archive_)
      return error("names archive entry \"" + entry +
                   "\": give the archive it comes from with --archive=<model.pt2> "
                   "(or write the bytes inline: dense<0x...>)");
    if (!archive_->hasEntry(entry))
      return error(archivePath_ + " has no entry \"" + entry + "\"");
    return archive_->mapEntry(entry);
  }

  llvm::Expected<DerivedLayout> derivedLayout(const Storage &source, llvm::StringRef tag,
                                              uint64_t size) override {
    return rebuildDerivedLayout(source, tag, size);
  }

private:
  ModelArchive *archive_;
  std::string archivePath_;

  static llvm::Error error(const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), what);
  }
};

} // namespace

std::unique_ptr<StorageResolver> archiveStorages(ModelArchive *archive, std::string archivePath) {
  return std::make_unique<ArchiveStorages>(archive, std::move(archivePath));
}

namespace {
struct Part {
  llvm::StringRef text;
  unsigned firstLine;
};

// The whole input, or its parts between `// -----` lines.
std::vector<Part> splitInput(llvm::StringRef text, bool split) {
  if (!split)
    return {{text, 1}};
  std::vector<Part> parts;
  size_t start = 0, pos = 0;
  unsigned line = 1, startLine = 1;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == llvm::StringRef::npos)
      end = text.size();
    if (text.slice(pos, end).rtrim(" \t\r") == kSplitMarker) {
      parts.push_back({text.slice(start, pos), startLine});
      start = end + 1;
      startLine = line + 1;
    }
    pos = end + 1;
    ++line;
  }
  parts.push_back({text.substr(std::min(start, text.size())), startLine});
  return parts;
}

// One graph: parsed, run through the passes, printed.
// `name` is the input's name in messages; `where` names the part.
llvm::Error runPart(const OptRequest &request, const Part &part, const std::string &name,
                    const std::string &where, StorageResolver &storages, OptResult &result,
                    llvm::raw_ostream &log) {
  ParseOptions parse;
  parse.storages = &storages;
  parse.firstLine = part.firstLine;
  llvm::Expected<std::unique_ptr<Graph>> g = parseGraph(part.text, name, parse);
  if (!g)
    return g.takeError();
  PipelineOptions pipeline = request.pipeline;
  pipeline.inputStage = "input";
  pipeline.compileTo = pipeline.passes.empty() ? "import" : ""; // no passes: parse, verify, print
  PassContext ctx;
  ctx.options = request.options;
  if (auto err = runPipeline(**g, pipeline, ctx, log))
    return oneLineError(where, llvm::toString(std::move(err)));
  result.text += graphToString(**g);
  llvm::raw_string_ostream report(result.report);
  if (request.report == ReportFormat::Text)
    printReportText(**g, ctx, report);
  else if (request.report == ReportFormat::Json)
    printReportJson(**g, ctx, report);
  return llvm::Error::success();
}
} // namespace

llvm::Error runOpt(const OptRequest &request, OptResult &result, llvm::raw_ostream &log) {
  std::string name = request.inputPath == "-" ? "<stdin>" : request.inputPath;
  if (llvm::Expected<std::vector<const PassInfo *>> p = resolvePipeline(request.pipeline); !p)
    return oneLineError(name, llvm::toString(p.takeError()));
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> input =
      llvm::MemoryBuffer::getFileOrSTDIN(request.inputPath);
  if (!input)
    return oneLineError(name, "cannot read it: " + input.getError().message());

  std::unique_ptr<ModelArchive> archive;
  if (!request.archivePath.empty()) {
    llvm::Expected<std::unique_ptr<ModelArchive>> opened = ModelArchive::open(request.archivePath);
    if (!opened)
      return oneLineError(request.archivePath, llvm::toString(opened.takeError()));
    archive = std::move(*opened);
  }
  std::unique_ptr<StorageResolver> storages = archiveStorages(archive.get(), request.archivePath);

  llvm::Error failures = llvm::Error::success();
  std::vector<Part> parts = splitInput((*input)->getBuffer(), request.splitInputFile);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i)
      result.text += std::string(kSplitMarker) + "\n";
    std::string where =
        request.splitInputFile ? name + ":" + std::to_string(parts[i].firstLine) : name;
    if (auto err = runPart(request, parts[i], name, where, *storages, result, log))
      failures = llvm::joinErrors(std::move(failures), std::move(err));
  }
  return failures;
}

} // namespace vkqc
