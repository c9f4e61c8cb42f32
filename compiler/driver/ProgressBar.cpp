#include "compiler/driver/ProgressBar.h"

#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

namespace vkqc {

ProgressBar::ProgressBar(bool enabled)
    : active_(enabled && llvm::sys::Process::StandardErrIsDisplayed()),
      start_(std::chrono::steady_clock::now()), lastDraw_(start_) {}

ProgressBar::~ProgressBar() {
  if (active_ && drawn_)
    llvm::errs() << "\r\x1b[K"; // leave the terminal as it was
}

void ProgressBar::update(llvm::StringRef phase, uint64_t done, uint64_t total) {
  if (!active_)
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (done < total && now - lastDraw_ < std::chrono::milliseconds(100))
    return;
  lastDraw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double mib = done / 1048576.0;
  int width = 30, filled = total ? static_cast<int>(width * done / total) : width;
  llvm::errs() << fmt::format("\r\x1b[K{} [{}{}] {:.0f}/{:.0f} MiB {:.0f} MiB/s", phase.str(),
                              std::string(filled, '#'), std::string(width - filled, '.'), mib,
                              total / 1048576.0, seconds > 0 ? mib / seconds : 0.0);
  drawn_ = true;
}

} // namespace vkqc
