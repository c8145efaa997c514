#pragma once
// Firms are split into four segments per country, sector x size (MODEL.md, 5.2), each a
// group of its own: virtual small, virtual large, physical small, physical large. The
// other kinds have one segment per country.
#include <array>

#include "agents/agent_kind.hpp"

namespace stackrace {

inline constexpr int firm_segments = 4;

constexpr int segments_of(AgentKind kind) { return kind == AgentKind::firm ? firm_segments : 1; }
constexpr bool segment_is_physical(int segment) { return segment >= 2; }
constexpr bool segment_is_large(int segment) { return segment % 2 == 1; }

// Firms' sectors, as the result file names them: virtual (services, software, finance)
// and physical (manufacturing, construction, agriculture, logistics, energy).
inline constexpr int sector_count = 2;
constexpr int sector_of(int segment) { return segment_is_physical(segment) ? 1 : 0; }
constexpr const char* sector_name(int sector) { return sector == 1 ? "physical" : "virtual"; }

// The shares of a country's firms in each segment, in segment order, from its shares of
// physical-industry and of large firms (taken as independent).
inline std::array<double, firm_segments> firm_segment_shares(double physical, double large) {
  return {(1 - physical) * (1 - large), (1 - physical) * large, physical * (1 - large), physical * large};
}

}  // namespace stackrace
