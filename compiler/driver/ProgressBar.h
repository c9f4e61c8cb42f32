// A progress line on stderr while a large program is written: phase, bytes, rate. Shown
// only when stderr is a terminal (never in logs or pipes), and not with --no-progress.
#pragma once

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace vkqc {

class ProgressBar {
public:
  /// `enabled` is the user's choice; the bar also stays silent off a terminal.
  explicit ProgressBar(bool enabled);
  ~ProgressBar();

  /// Reports `done` of `total` bytes of `phase` (thread-safe; redraws at most ~10 times a second).
  void update(llvm::StringRef phase, uint64_t done, uint64_t total);

private:
  bool active_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_, lastDraw_;
  bool drawn_ = false;
};

} // namespace vkqc
