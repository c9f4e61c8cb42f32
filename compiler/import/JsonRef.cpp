#include "compiler/import/JsonRef.h"

#include "compiler/ir/OneLineError.h"

#include <optional>

namespace vkqc {

namespace {
// Export files nest about 10 levels deep. nlohmann's parser is iterative, but each level
// costs an allocation (1M levels take a second and ~100 MB) and other nlohmann operations
// recurse, so deeper text is refused before parsing.
constexpr size_t kMaxJsonDepth = 256;

// Offset of the first bracket that opens level kMaxJsonDepth + 1, outside strings.
std::optional<size_t> tooDeepAt(llvm::StringRef text) {
  size_t depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}
} // namespace

llvm::Expected<nlohmann::json> JsonRef::parse(llvm::StringRef text, llvm::StringRef file) {
  if (std::optional<size_t> at = tooDeepAt(text))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   file + ":byte " + llvm::Twine(*at + 1) +
                                       ": JSON nested deeper than " + llvm::Twine(kMaxJsonDepth) +
                                       " levels");
  // Parse without exceptions first; on failure, parse again with them to learn where.
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_discarded())
    return j;
  try {
    nlohmann::json unused = nlohmann::json::parse(text.begin(), text.end());
    (void)unused;
  } catch (const nlohmann::json::parse_error &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   file + ":byte " + llvm::Twine(e.byte) + ": invalid JSON");
  } catch (const std::exception &) {
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(), file + ": invalid JSON");
}

llvm::Error JsonRef::error(const llvm::Twine &what) const {
  // Keys and strings from the file can hold newlines or NULs: the message stays one line.
  return oneLineError(where(), what);
}

std::string JsonRef::kindName() const {
  switch (json_->type()) {
  case nlohmann::json::value_t::null:
    return "null";
  case nlohmann::json::value_t::object:
    return "an object";
  case nlohmann::json::value_t::array:
    return "an array";
  case nlohmann::json::value_t::string:
    return "a string";
  case nlohmann::json::value_t::boolean:
    return "a boolean";
  case nlohmann::json::value_t::number_integer:
  case nlohmann::json::value_t::number_unsigned:
    return "an integer";
  case nlohmann::json::value_t::number_float:
    return "a float";
  default:
    return "something else";
  }
}

JsonRef JsonRef::child(const nlohmann::json &j, const std::string &token) const {
  return JsonRef(j, file_, pointer_ + "/" + token);
}

bool JsonRef::has(llvm::StringRef key) const {
  return json_->is_object() && json_->find(key.str()) != json_->end();
}

llvm::Expected<JsonRef> JsonRef::field(llvm::StringRef key) const {
  if (!json_->is_object())
    return error("expected an object with field '" + key + "', got " + kindName());
  auto it = json_->find(key.str());
  if (it == json_->end())
    return error("missing field '" + key + "'");
  return child(*it, key.str());
}

llvm::Expected<JsonRef> JsonRef::at(size_t index) const {
  if (!json_->is_array())
    return error("expected an array, got " + kindName());
  if (index >= json_->size())
    return error("expected at least " + llvm::Twine(index + 1) + " elements");
  return child((*json_)[index], std::to_string(index));
}

llvm::Expected<int64_t> JsonRef::getInt() const {
  // nlohmann stores every non-negative integer as unsigned, and is_number_integer() is
  // true for those too: test unsigned first, or 2^63 and above wrap to negative values.
  if (json_->is_number_unsigned()) {
    uint64_t u = json_->get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT64_MAX))
      return static_cast<int64_t>(u);
    return error("integer " + llvm::Twine(u) + " does not fit in 64 bits");
  }
  if (json_->is_number_integer())
    return json_->get<int64_t>();
  return error("expected an integer, got " + kindName());
}

llvm::Expected<double> JsonRef::getDouble() const {
  if (json_->is_number())
    return json_->get<double>();
  // torch.export writes non-finite floats as strings.
  if (json_->is_string()) {
    const std::string &s = json_->get_ref<const std::string &>();
    if (s == "Infinity" || s == "inf")
      return std::numeric_limits<double>::infinity();
    if (s == "-Infinity" || s == "-inf")
      return -std::numeric_limits<double>::infinity();
    if (s == "NaN" || s == "nan")
      return std::numeric_limits<double>::quiet_NaN();
  }
  return error("expected a number, got " + kindName());
}

llvm::Expected<bool> JsonRef::getBool() const {
  if (json_->is_boolean())
    return json_->get<bool>();
  return error("expected a boolean, got " + kindName());
}

llvm::Expected<std::string> JsonRef::getString() const {
  if (json_->is_string())
    return json_->get<std::string>();
  return error("expected a string, got " + kindName());
}

llvm::Expected<std::vector<JsonRef>> JsonRef::getArray() const {
  if (!json_->is_array())
    return error("expected an array, got " + kindName());
  std::vector<JsonRef> out;
  out.reserve(json_->size());
  for (size_t i = 0; i < json_->size(); ++i)
    out.push_back(child((*json_)[i], std::to_string(i)));
  return out;
}

llvm::Expected<std::vector<std::pair<std::string, JsonRef>>> JsonRef::getObject() const {
  if (!json_->is_object())
    return error("expected an object, got " + kindName());
  std::vector<std::pair<std::string, JsonRef>> out;
  for (auto it = json_->begin(); it != json_->end(); ++it)
    out.emplace_back(it.key(), child(it.value(), it.key()));
  return out;
}

llvm::Expected<std::pair<std::string, JsonRef>> JsonRef::getTagged() const {
  if (!json_->is_object() || json_->size() != 1)
    return error("expected an object with exactly one key, got " + kindName());
  auto it = json_->begin();
  return std::make_pair(it.key(), child(it.value(), it.key()));
}

llvm::Expected<std::vector<JsonRef>> JsonRef::arrayField(llvm::StringRef key) const {
  llvm::Expected<JsonRef> f = field(key);
  if (!f)
    return f.takeError();
  return f->getArray();
}

llvm::Expected<std::vector<std::pair<std::string, JsonRef>>>
JsonRef::objectField(llvm::StringRef key) const {
  llvm::Expected<JsonRef> f = field(key);
  if (!f)
    return f.takeError();
  return f->getObject();
}

llvm::Expected<int64_t> JsonRef::intField(llvm::StringRef key) const {
  llvm::Expected<JsonRef> f = field(key);
  if (!f)
    return f.takeError();
  return f->getInt();
}

llvm::Expected<std::string> JsonRef::stringField(llvm::StringRef key) const {
  llvm::Expected<JsonRef> f = field(key);
  if (!f)
    return f.takeError();
  return f->getString();
}

} // namespace vkqc
