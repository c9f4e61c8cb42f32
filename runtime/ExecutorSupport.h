// What the Vulkan executor shares between its files: error helpers, shape checks and the
// readers of an op's arguments inside a VkGraph.
#pragma once

#include "serialize/VulkanBlobReader.h"

#include "compiler/ir/OpKind.h"
#include "compiler/semantics/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

/// `auto DECL = EXPR;` returning EXPR's error from the enclosing function when it fails
/// (the executor reads many Expected arguments in a row).
#define VKQC_TRY(DECL, EXPR)                                                                       \
  auto DECL = EXPR;                                                                                \
  if (!DECL)                                                                                       \
    return DECL.takeError();

namespace vkqc::vk::exec {

using interp::Tensor;
using namespace serialize;

/// "<where>: <what>".
llvm::Error execError(const llvm::Twine &where, const llvm::Twine &what);
/// `cause` prefixed with "<where>: ".
llvm::Error wrap(const llvm::Twine &where, llvm::Error cause);
std::string dtypeText(DType t);
std::string shapeText(llvm::ArrayRef<int64_t> shape);
template <typename T> std::string listText(llvm::ArrayRef<T> dims) {
  std::vector<int64_t> v(dims.begin(), dims.end());
  return shapeText(v);
}
std::optional<DType> dtypeOfVk(serialize::VkDataType t);
/// Checks a tensor against declared sizes: same rank, each dim equal (static) or at most
/// the declared one (an upper bound).
llvm::Error checkShape(llvm::StringRef what, const Tensor &t, llvm::ArrayRef<int64_t> declared,
                       bool upperBounds);

/// Readers of one op's arguments inside a VkGraph.
struct VkOpArguments {
  const VkGraphView &g;
  std::vector<std::optional<Tensor>> &vals;
  const VkOperatorCall &call;
  OpKind op; // the row of call.name
  std::string where;

  const VkValue *value(size_t a) const {
    if (a >= call.args.size() || call.args[a] < 0 ||
        call.args[a] >= static_cast<int32_t>(g.values.size()))
      return nullptr;
    return &g.values[call.args[a]];
  }
  llvm::Error bad(size_t a, const llvm::Twine &what) const {
    return execError(where, "argument " + llvm::Twine(a) + " " + what);
  }
  llvm::Expected<Tensor> tensor(size_t a) const {
    const VkValue *v = value(a);
    if (!v || !std::holds_alternative<VkTensorValue>(*v))
      return bad(a, "is not a tensor");
    const std::optional<Tensor> &t = vals[call.args[a]];
    if (!t)
      return bad(a, "(value " + llvm::Twine(call.args[a]) + ") is read before it is computed");
    return *t;
  }
  llvm::Expected<std::optional<Tensor>> optionalTensor(size_t a) const {
    const VkValue *v = value(a);
    if (v && std::holds_alternative<VkNullValue>(*v))
      return std::optional<Tensor>();
    llvm::Expected<Tensor> t = tensor(a);
    if (!t)
      return t.takeError();
    return std::optional<Tensor>(std::move(*t));
  }
  llvm::Expected<int64_t> integer(size_t a) const {
    if (a >= call.args.size())
      return bad(a, "is missing");
    return integerValue(a, call.args[a]);
  }
  /// An Int, or a SymInt (a 0-d int64 tensor in `vals`, set when the delegate was called).
  llvm::Expected<int64_t> integerValue(size_t a, int32_t id) const {
    const VkValue *v =
        id >= 0 && id < static_cast<int32_t>(g.values.size()) ? &g.values[id] : nullptr;
    if (v)
      if (const VkIntValue *i = std::get_if<VkIntValue>(v))
        return i->value;
    if (v && std::holds_alternative<VkSymIntValue>(*v)) {
      if (!vals[id] || vals[id]->numel() != 1)
        return bad(a, "(SymInt value " + llvm::Twine(id) + ") is read before it is set");
      return vals[id]->getInt(0);
    }
    return bad(a, "is not an int");
  }
  llvm::Expected<double> real(size_t a) const {
    const VkValue *v = value(a);
    if (v)
      if (const VkDoubleValue *d = std::get_if<VkDoubleValue>(v))
        return d->value;
    llvm::Expected<int64_t> i = integer(a);
    if (!i) {
      llvm::consumeError(i.takeError());
      return bad(a, "is not a number");
    }
    return static_cast<double>(*i);
  }
  /// The tensors of a ValueList.
  llvm::Expected<std::vector<Tensor>> tensors(size_t a) const {
    const VkValue *v = value(a);
    const VkValueListValue *l = v ? std::get_if<VkValueListValue>(v) : nullptr;
    if (!l)
      return bad(a, "is not a list of tensors");
    std::vector<Tensor> out;
    for (int32_t id : l->items) {
      if (id < 0 || id >= static_cast<int32_t>(g.values.size()) ||
          !std::holds_alternative<VkTensorValue>(g.values[id]))
        return bad(a, "holds value " + llvm::Twine(id) + ", which is not a tensor");
      if (!vals[id])
        return bad(a, "holds value " + llvm::Twine(id) + ", which is read before it is computed");
      out.push_back(*vals[id]);
    }
    return out;
  }
  llvm::Expected<std::optional<int64_t>> optionalInteger(size_t a) const {
    const VkValue *v = value(a);
    if (v && std::holds_alternative<VkNullValue>(*v))
      return std::optional<int64_t>();
    if (v)
      if (const VkDoubleValue *d = std::get_if<VkDoubleValue>(v);
          d && d->value == int64_t(d->value))
        return std::optional<int64_t>(int64_t(d->value));
    llvm::Expected<int64_t> i = integer(a);
    if (!i)
      return i.takeError();
    return std::optional<int64_t>(*i);
  }
  llvm::Expected<std::optional<double>> optionalReal(size_t a) const {
    const VkValue *v = value(a);
    if (v && std::holds_alternative<VkNullValue>(*v))
      return std::optional<double>();
    if (v)
      if (const VkDoubleValue *d = std::get_if<VkDoubleValue>(v))
        return std::optional<double>(d->value);
    if (v)
      if (const VkIntValue *i = std::get_if<VkIntValue>(v))
        return std::optional<double>(double(i->value));
    return bad(a, "is not a float");
  }
  llvm::Expected<bool> boolean(size_t a) const {
    const VkValue *v = value(a);
    if (v)
      if (const VkBoolValue *b = std::get_if<VkBoolValue>(v))
        return b->value;
    return bad(a, "is not a bool");
  }
  llvm::Expected<std::string> string(size_t a) const {
    const VkValue *v = value(a);
    if (v)
      if (const VkStringValue *s = std::get_if<VkStringValue>(v))
        return s->value;
    return bad(a, "is not a string");
  }
  llvm::Expected<std::vector<int64_t>> integers(size_t a) const {
    const VkValue *v = value(a);
    if (v)
      if (const VkIntListValue *l = std::get_if<VkIntListValue>(v))
        return l->items;
    // Sizes with symbolic entries: a ValueList of Int and SymInt values.
    if (const VkValueListValue *l = v ? std::get_if<VkValueListValue>(v) : nullptr) {
      std::vector<int64_t> items;
      for (int32_t id : l->items) {
        llvm::Expected<int64_t> i = integerValue(a, id);
        if (!i)
          return i.takeError();
        items.push_back(*i);
      }
      return items;
    }
    return bad(a, "is not an int list");
  }
  /// The declared tensor behind value id `id`.
  llvm::Expected<const VkTensorValue *> declared(int32_t id) const {
    if (id < 0 || id >= static_cast<int32_t>(g.values.size()) ||
        !std::holds_alternative<VkTensorValue>(g.values[id]))
      return execError(where, "output value " + llvm::Twine(id) + " is not a tensor");
    return &std::get<VkTensorValue>(g.values[id]);
  }
  /// The output tensor ids: the last argument, a tensor or a list of tensors.
  llvm::Expected<std::vector<int32_t>> outputs() const {
    if (call.args.empty())
      return execError(where, "no output argument");
    const VkValue *v = value(call.args.size() - 1);
    if (!v)
      return execError(where, "output argument out of range");
    if (const VkValueListValue *l = std::get_if<VkValueListValue>(v))
      return l->items;
    return std::vector<int32_t>{call.args.back()};
  }
  llvm::Expected<DType> outputDtype(int32_t id) const {
    llvm::Expected<const VkTensorValue *> t = declared(id);
    if (!t)
      return t.takeError();
    std::optional<DType> d = dtypeOfVk((*t)->datatype);
    if (!d)
      return execError(where, "output value " + llvm::Twine(id) + " has an unsupported datatype");
    return *d;
  }
  llvm::Error store(int32_t id, Tensor t) const {
    llvm::Expected<const VkTensorValue *> d = declared(id);
    if (!d)
      return d.takeError();
    llvm::Expected<DType> dtype = outputDtype(id);
    if (!dtype)
      return dtype.takeError();
    std::string what = where + ": result (value " + std::to_string(id) + ")";
    if (t.dtype() != *dtype)
      return execError(what,
                       "is " + dtypeText(t.dtype()) + ", the graph declares " + dtypeText(*dtype));
    if (llvm::Error err =
            checkShape(what, t, std::vector<int64_t>((*d)->dims.begin(), (*d)->dims.end()), true))
      return err;
    vals[id] = std::move(t);
    return llvm::Error::success();
  }
};

} // namespace vkqc::vk::exec
