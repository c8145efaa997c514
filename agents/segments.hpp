#pragma once
// Firms are split into segments per country, sector x size class (MODEL.md, 5.2), each a
// group of its own: the four size classes of the virtual sector, then the four of the
// physical sector. The other kinds have one segment per country.
#include <array>

#include "agents/agent_kind.hpp"

namespace stackrace {

// Firms' sectors, as the result file names them: virtual (services, software, finance)
// and physical (manufacturing, construction, agriculture, logistics, energy).
inline constexpr int sector_count = 2;
constexpr const char* sector_name(int sector) { return sector == 1 ? "physical" : "virtual"; }

// Firms' size classes by persons employed, as Eurostat and the OECD count them (and the
// result file names them): micro 0-9, small 10-49, medium 50-249, large 250+.
inline constexpr int firm_size_count = 4;
inline constexpr int micro_size = 0, small_size = 1, medium_size = 2, large_size = 3;
constexpr const char* firm_size_name(int size) {
  return size == micro_size ? "micro" : size == small_size ? "small" : size == medium_size ? "medium" : "large";
}
using BySize = std::array<double, firm_size_count>;

inline constexpr int firm_segments = sector_count * firm_size_count;

constexpr int segments_of(AgentKind kind) { return kind == AgentKind::firm ? firm_segments : 1; }
constexpr int sector_of(int segment) { return segment / firm_size_count; }
constexpr int size_of(int segment) { return segment % firm_size_count; }
constexpr bool segment_is_physical(int segment) { return sector_of(segment) == 1; }
constexpr bool segment_is_large(int segment) { return size_of(segment) == large_size; }

// The shares of a country's firms in each segment, in segment order, from its share of
// physical-industry firms and its firms' shares by size (taken as independent).
inline std::array<double, firm_segments> firm_segment_shares(double physical, const BySize& by_size) {
  std::array<double, firm_segments> shares{};
  for (int segment = 0; segment < firm_segments; ++segment)
    shares[segment] = (segment_is_physical(segment) ? physical : 1 - physical) * by_size[size_of(segment)];
  return shares;
}

}  // namespace stackrace
