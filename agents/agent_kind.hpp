#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace stackrace {

// The order is the order of the `kind` dimension in the output file.
enum class AgentKind : std::uint8_t { country = 0, firm = 1, developer = 2 };

inline constexpr int agent_kind_count = 3;
inline constexpr std::array<AgentKind, agent_kind_count> all_agent_kinds{
    AgentKind::country, AgentKind::firm, AgentKind::developer};

constexpr std::string_view agent_kind_name(AgentKind kind) {
  switch (kind) {
    case AgentKind::country: return "country";
    case AgentKind::firm: return "firm";
    case AgentKind::developer: return "developer";
  }
  return "?";
}

constexpr int index_of(AgentKind kind) { return static_cast<int>(kind); }

// The kind a scenario names (country, firm, developer), if any.
constexpr std::optional<AgentKind> agent_kind_named(std::string_view name) {
  for (AgentKind kind : all_agent_kinds)
    if (agent_kind_name(kind) == name) return kind;
  return std::nullopt;
}

}  // namespace stackrace
