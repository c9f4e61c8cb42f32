#include "serialize/DataSource.h"

#include <algorithm>

namespace vkqc::serialize {

DataSource DataSource::fromBytes(std::vector<uint8_t> bytes) {
  auto owned = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  DataSource source = viewOf(*owned);
  source.write = [owned](llvm::MutableArrayRef<uint8_t> dst) {
    std::copy(owned->begin(), owned->end(), dst.begin());
    return llvm::Error::success();
  };
  return source;
}

DataSource DataSource::viewOf(llvm::ArrayRef<uint8_t> bytes) {
  DataSource source;
  source.size = bytes.size();
  source.write = [bytes](llvm::MutableArrayRef<uint8_t> dst) {
    std::copy(bytes.begin(), bytes.end(), dst.begin());
    return llvm::Error::success();
  };
  return source;
}

} // namespace vkqc::serialize
