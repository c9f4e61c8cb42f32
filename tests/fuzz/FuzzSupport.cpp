#include "tests/fuzz/FuzzSupport.h"

#include "compiler/import/ExportImporter.h"
#include "compiler/ir/Printer.h"
#include "compiler/ir/Verifier.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>

namespace vkqc::fuzz {

void checkErrorMessage(llvm::Error err) {
  if (!err)
    return;
  std::string message = llvm::toString(std::move(err));
  if (message.empty() || message.find('\n') != std::string::npos ||
      message.find('\r') != std::string::npos) {
    std::fprintf(stderr, "fuzz: error message breaks the one-line contract: [%s]\n",
                 message.c_str());
    std::abort();
  }
}

void importVerifyPrint(ModelArchive &archive) {
  llvm::Expected<std::unique_ptr<Graph>> g = importFromArchive(archive, "fuzz.pt2");
  if (!g)
    return checkErrorMessage(g.takeError());
  if (llvm::Error err = verifyGraph(**g))
    return checkErrorMessage(std::move(err));
  if (llvm::Error err = archive.verifyIntegrity())
    return checkErrorMessage(std::move(err));
  std::string text;
  llvm::raw_string_ostream os(text);
  printGraph(**g, os);
  printDot(**g, os);
}

bool MapArchive::hasEntry(llvm::StringRef entry) const { return entries.count(entry); }

llvm::Expected<std::string> MapArchive::readText(llvm::StringRef entry) {
  auto it = entries.find(entry);
  if (it == entries.end())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   entry + ": missing from the archive");
  return std::string(it->second.begin(), it->second.end());
}

llvm::Expected<llvm::ArrayRef<uint8_t>> MapArchive::mapEntry(llvm::StringRef entry) {
  auto it = entries.find(entry);
  if (it == entries.end())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   entry + ": missing from the archive");
  return llvm::ArrayRef<uint8_t>(it->second);
}

std::unique_ptr<MapArchive> loadDirectoryArchive(llvm::StringRef root) {
  auto archive = std::make_unique<MapArchive>();
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(root, ec), end; it != end && !ec;
       it.increment(ec)) {
    if (!llvm::sys::fs::is_regular_file(it->path()))
      continue;
    auto buf = llvm::MemoryBuffer::getFile(it->path());
    if (!buf) {
      std::fprintf(stderr, "fuzz: cannot read %s\n", it->path().c_str());
      std::abort();
    }
    llvm::StringRef rel = llvm::StringRef(it->path()).drop_front(root.size() + 1);
    llvm::StringRef bytes = (*buf)->getBuffer();
    archive->entries[rel.str()] = std::vector<uint8_t>(bytes.begin(), bytes.end());
  }
  return archive;
}

std::string sourcePath(llvm::StringRef relative) {
  return (llvm::Twine(VKQC_SOURCE_DIR) + "/" + relative).str();
}

} // namespace vkqc::fuzz
