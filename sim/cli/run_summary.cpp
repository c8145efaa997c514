#include "sim/cli/run_summary.hpp"

#include <cmath>
#include <cstdio>

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
}

}  // namespace stackrace::cli
