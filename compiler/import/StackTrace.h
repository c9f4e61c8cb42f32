// Where a node came from: the innermost frame of the stack trace torch.export records in a
// node's metadata, for errors that point a user at their model's source line.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace vkqc {

/// `modeling_qwen3.py:312 (hidden_states = self.mlp(hidden_states))` for the last frame of
/// node["metadata"]["stack_trace"], or nullopt when the node records none.
std::optional<std::string> nodeSourceLine(const nlohmann::json &node);

} // namespace vkqc
