#include "compiler/import/TensorMeta.h"

namespace vkqc {

llvm::Expected<SymExpr> readSymInt(const JsonRef &j) {
  llvm::Expected<std::pair<std::string, JsonRef>> tagged = j.getTagged();
  if (!tagged)
    return tagged.takeError();
  auto &[kind, value] = *tagged;
  if (kind == "as_int") {
    llvm::Expected<int64_t> v = value.getInt();
    if (!v)
      return v.takeError();
    return SymExpr(*v);
  }
  if (kind == "as_expr") {
    llvm::Expected<std::string> text = value.stringField("expr_str");
    if (!text)
      return text.takeError();
    llvm::Expected<SymExpr> e = parseSympy(*text);
    if (!e)
      return value.error(llvm::toString(e.takeError()));
    return e;
  }
  return j.error("expected as_int or as_expr, got " + kind);
}

llvm::Expected<DType> readDType(const JsonRef &j) {
  llvm::Expected<int64_t> code = j.getInt();
  if (!code)
    return code.takeError();
  std::optional<DType> d = dtypeFromSerdeCode(*code);
  if (!d)
    return j.error("unknown or unsupported dtype code " + llvm::Twine(*code));
  return *d;
}

llvm::Expected<TensorMeta> readTensorMeta(const JsonRef &j) {
  TensorMeta meta;
  llvm::Expected<JsonRef> dtype = j.field("dtype");
  if (!dtype)
    return dtype.takeError();
  llvm::Expected<DType> d = readDType(*dtype);
  if (!d)
    return d.takeError();
  meta.dtype = *d;

  auto readList = [&](llvm::StringRef key, std::vector<SymExpr> &out) -> llvm::Error {
    llvm::Expected<JsonRef> list = j.field(key);
    if (!list)
      return list.takeError();
    llvm::Expected<std::vector<JsonRef>> items = list->getArray();
    if (!items)
      return items.takeError();
    for (const JsonRef &item : *items) {
      llvm::Expected<SymExpr> e = readSymInt(item);
      if (!e)
        return e.takeError();
      out.push_back(*e);
    }
    return llvm::Error::success();
  };
  if (auto err = readList("sizes", meta.sizes))
    return err;
  if (j.has("strides"))
    if (auto err = readList("strides", meta.strides))
      return err;
  if (j.has("storage_offset")) {
    llvm::Expected<JsonRef> off = j.field("storage_offset");
    if (!off)
      return off.takeError();
    llvm::Expected<SymExpr> e = readSymInt(*off);
    if (!e)
      return e.takeError();
    meta.storageOffset = *e;
  }

  int64_t bytes = static_cast<int64_t>(dtypeSize(meta.dtype));
  for (size_t i = 0; i < meta.sizes.size(); ++i) {
    const SymExpr &s = meta.sizes[i];
    if (!s.isConstant())
      continue;
    if (s.constant() < 0)
      return j.error("size " + llvm::Twine(i) + " is negative (" + llvm::Twine(s.constant()) + ")");
    // Zeros are skipped (as numpy does) so that no order of multiplying the sizes
    // overflows: [0, 2^62, 2^62] is refused too.
    if (s.constant() == 0)
      continue;
    if (__builtin_mul_overflow(bytes, s.constant(), &bytes))
      return j.error("sizes overflow: the tensor would exceed 2^63 bytes");
  }
  return meta;
}

} // namespace vkqc
