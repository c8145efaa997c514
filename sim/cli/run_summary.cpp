#include "sim/cli/run_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace stackrace::cli {

std::string month_after(const std::string& start, int months) {
  int year = std::stoi(start.substr(0, 4));
  int month = std::stoi(start.substr(5, 2)) - 1 + months;
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", year + month / 12, month % 12 + 1);
  return text;
}

namespace {
std::string percent(float share) {
  if (std::isnan(share)) return "n/a";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * share);
  return text;
}
}  // namespace

void print_run_summary(std::ostream& out, const Scenario& s, const RunResult& r) {
  const int last = r.times - 1;
  out << "Global share of each stack (weighted by the real entities agents stand for)\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-10s %-10s %12s %12s\n", "kind", "stack", s.start.c_str(),
                month_after(s.start, last).c_str());
  out << line;
  for (AgentKind kind : all_agent_kinds) {
    for (int k = 0; k < s.stack_count(); ++k) {
      std::snprintf(line, sizeof line, "  %-10s %-10s %12s %12s\n", std::string(agent_kind_name(kind)).c_str(),
                    s.stacks[k].id.c_str(), percent(r.global_share_at(0, kind, k)).c_str(),
                    percent(r.global_share_at(last, kind, k)).c_str());
      out << line;
    }
  }
  print_usage_summary(out, s, r);
}

void print_usage_summary(std::ostream& out, const Scenario& s, const RunResult& r) {
  const int last = r.times - 1, K = s.stack_count();
  char line[256];
  out << "Share of each kind's tokens on each stack (usage, MODEL.md 7.8b)\n";
  for (AgentKind kind : all_agent_kinds)
    for (int k = 0; k < K; ++k) {
      if (s.stacks[k].outside) continue;
      std::snprintf(line, sizeof line, "  %-10s %-10s %12s %12s\n", std::string(agent_kind_name(kind)).c_str(),
                    s.stacks[k].id.c_str(), percent(r.global_usage_share_at(0, kind, k)).c_str(),
                    percent(r.global_usage_share_at(last, kind, k)).c_str());
      out << line;
    }
  out << "Global share of each sector's firms on each stack\n";
  for (int sector = 0; sector < sector_count; ++sector)
    for (int k = 0; k < K; ++k) {
      auto at = [&](int t) { return r.global_sector_share[(std::size_t(t) * sector_count + sector) * K + k]; };
      std::snprintf(line, sizeof line, "  %-10s %-10s %12s %12s\n", sector_name(sector), s.stacks[k].id.c_str(),
                    percent(at(0)).c_str(), percent(at(last)).c_str());
      out << line;
    }
  // Adoption by firm size (the share off the outside option), one line.
  if (const auto outside = s.outside_stack()) {
    std::string sizes;
    for (int size = 0; size < firm_size_count; ++size) {
      auto adopted = [&](int t) { return 1.0f - r.global_size_share[(std::size_t(t) * firm_size_count + size) * K + *outside]; };
      sizes += std::string(size ? ", " : "") + firm_size_name(size) + " " + percent(adopted(0)) + " -> " + percent(adopted(last));
    }
    out << "Firms using AI by size class (staff 0-9, 10-49, 50-249, 250+): " << sizes << '\n';
  }
  std::string lags;
  for (int k = 0; k < K; ++k) {
    if (s.stacks[k].outside) continue;
    std::snprintf(line, sizeof line, "%s%s %.1f -> %.1f", lags.empty() ? "" : ", ", s.stacks[k].id.c_str(),
                  r.lag[k], r.lag[std::size_t(last) * K + k]);
    lags += line;
  }
  out << "Months behind the frontier: " << lags << '\n';
}

namespace {
std::string ranked(const Scenario& s, const std::vector<int>& order, const std::vector<float>& share) {
  std::string line;
  for (int c : order) {
    if (!line.empty()) line += ", ";
    line += s.countries[c].id + " " + percent(share[c]);
  }
  return line;
}
}  // namespace

void print_country_extremes(std::ostream& out, const Scenario& s, const RunResult& r, int count,
                            std::int64_t min_agents) {
  const int last = r.times - 1;
  // Countries with few agents have noisy shares (one agent is 100%): rank those with
  // at least `min_agents` developer agents, if that leaves enough to rank.
  auto developers = [&](int c) { return r.agents[std::size_t(c) * agent_kind_count + index_of(AgentKind::developer)]; };
  int enough = 0;
  for (int c = 0; c < s.country_count(); ++c) enough += developers(c) >= min_agents;
  const std::int64_t floor = enough >= 2 * count ? min_agents : 1;
  out << "Countries with the highest and lowest share of their developers on each stack, "
      << month_after(s.start, last) << " (countries with at least " << floor << " developer agents)\n";
  for (int k = 0; k < s.stack_count(); ++k) {
    if (s.stacks[k].outside) continue;
    std::vector<float> share(s.country_count());
    std::vector<int> order;
    for (int c = 0; c < s.country_count(); ++c) {
      share[c] = r.share_at(last, c, AgentKind::developer, k);
      if (!std::isnan(share[c]) && developers(c) >= floor) order.push_back(c);
    }
    // Ties (common in small countries) go to the lower country index, so the list is stable.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return share[a] > share[b]; });
    const int n = std::min<int>(count, static_cast<int>(order.size()));
    std::vector<int> highest(order.begin(), order.begin() + n);
    std::vector<int> lowest(order.end() - n, order.end());
    std::reverse(lowest.begin(), lowest.end());
    out << "  " << s.stacks[k].id << " highest: " << ranked(s, highest, share) << '\n';
    out << "  " << s.stacks[k].id << " lowest:  " << ranked(s, lowest, share) << '\n';
  }
}

}  // namespace stackrace::cli
