// Checked, located access to parsed JSON.
//
// Every accessor returns llvm::Expected and, on failure, an error that names the file
// and the JSON pointer of the offending element (`models/model.json:/graph_module/graph/
// nodes/17/inputs/2: expected an integer, got a string`). No nlohmann exception escapes.
#pragma once

#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace vkqc {

class JsonRef {
public:
  JsonRef(const nlohmann::json &json, std::string file, std::string pointer = "")
      : json_(&json), file_(std::move(file)), pointer_(std::move(pointer)) {}

  /// Parses `text`; syntax errors name the byte offset.
  static llvm::Expected<nlohmann::json> parse(llvm::StringRef text, llvm::StringRef file);

  const nlohmann::json &raw() const { return *json_; }
  const std::string &pointer() const { return pointer_; }
  std::string where() const { return file_ + ":" + (pointer_.empty() ? "/" : pointer_); }
  llvm::Error error(const llvm::Twine &what) const;

  bool isNull() const { return json_->is_null(); }
  bool has(llvm::StringRef key) const;
  llvm::Expected<JsonRef> field(llvm::StringRef key) const;
  llvm::Expected<JsonRef> at(size_t index) const;

  llvm::Expected<int64_t> getInt() const;
  llvm::Expected<double> getDouble() const; // integers are accepted too
  llvm::Expected<bool> getBool() const;
  llvm::Expected<std::string> getString() const;
  llvm::Expected<std::vector<JsonRef>> getArray() const;
  /// Members of an object, sorted by key (nlohmann::json keeps objects sorted).
  llvm::Expected<std::vector<std::pair<std::string, JsonRef>>> getObject() const;
  /// The only key of a one-key object: the tagged unions of the export schema.
  llvm::Expected<std::pair<std::string, JsonRef>> getTagged() const;

  /// Convenience: field(key) then getX().
  llvm::Expected<std::vector<JsonRef>> arrayField(llvm::StringRef key) const;
  llvm::Expected<std::vector<std::pair<std::string, JsonRef>>>
  objectField(llvm::StringRef key) const;
  llvm::Expected<int64_t> intField(llvm::StringRef key) const;
  llvm::Expected<std::string> stringField(llvm::StringRef key) const;

private:
  JsonRef child(const nlohmann::json &j, const std::string &token) const;
  std::string kindName() const;

  const nlohmann::json *json_;
  std::string file_;
  std::string pointer_;
};

} // namespace vkqc
