#include "serialize/InspectTextFormat.h"

#include "llvm/ADT/StringRef.h"

namespace vkqc::serialize {

using Json = nlohmann::ordered_json;

namespace {

constexpr unsigned kIndentStep = 2;

bool isScalar(const Json &node) { return !node.is_object() && !node.is_array(); }

bool isInline(const Json &node) {
  return isScalar(node) || (node.is_array() && std::all_of(node.begin(), node.end(), isScalar));
}

std::string scalarText(const Json &node) {
  if (node.is_null())
    return "none";
  if (node.is_string())
    return node.get<std::string>();
  return node.dump(-1, ' ', false,
                   Json::error_handler_t::replace); // file strings need not be UTF-8
}

std::string inlineText(const Json &node) {
  if (isScalar(node))
    return scalarText(node);
  std::string text = "[";
  for (const Json &item : node)
    text += (text.size() > 1 ? ", " : "") + scalarText(item);
  return text + "]";
}

void printObject(const Json &object, llvm::raw_ostream &os, unsigned indent);

/// One "- " line with the inline fields, the others nested below it.
void printArrayItem(const Json &item, llvm::raw_ostream &os, unsigned indent) {
  os.indent(indent) << "-";
  if (!item.is_object()) {
    os << " " << inlineText(item) << "\n";
    return;
  }
  const char *separator = " ";
  Json nested = Json::object();
  for (const auto &[key, value] : item.items()) {
    if (isInline(value)) {
      os << separator << key << ": " << inlineText(value);
      separator = ", ";
    } else {
      nested[key] = value;
    }
  }
  os << "\n";
  printObject(nested, os, indent + kIndentStep);
}

void printObject(const Json &object, llvm::raw_ostream &os, unsigned indent) {
  for (const auto &[key, value] : object.items()) {
    os.indent(indent) << key << ":";
    if (isInline(value)) {
      os << " " << inlineText(value) << "\n";
    } else if (value.empty()) {
      os << " {}\n";
    } else if (value.is_object()) {
      os << "\n";
      printObject(value, os, indent + kIndentStep);
    } else {
      os << "\n";
      for (const Json &item : value)
        printArrayItem(item, os, indent + kIndentStep);
    }
  }
}

} // namespace

void printAsText(const Json &document, llvm::raw_ostream &os) { printObject(document, os, 0); }

} // namespace vkqc::serialize
