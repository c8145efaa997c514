#pragma once
// The model's value of each record target in one run (the summaries a calibration
// compares with the record), computed as stackrace.record.compare does from a result
// file: adoption is 1 − the share on the outside option, a stack share is of the kind's
// AI users, each country weighed by the real entities its agents stand for (firms' of the
// record's size class, or of 10+ staff, the frame of the enterprise surveys); a price is
// the stack's (a group's first); a capability gap is the frontier's lead over the
// group's best, in months of the frontier's average growth over the run.
#include <vector>

#include "model/scenario.hpp"
#include "sim/run_result.hpp"
#include "worlds/calibration_spec.hpp"

namespace stackrace {

class TargetValues {
 public:
  // The targets must have outputs in the scenario (load_calibration keeps only those).
  TargetValues(const Scenario& scenario, const std::vector<CalibrationTarget>& targets);

  // Every target's model value in the run, in the targets' order.
  std::vector<float> of(const RunResult& run) const;
  // Σ over fitted targets of ((model − centre) / sd)², the centre being the middle of the
  // target's interval.
  double distance2(const std::vector<float>& values) const;
  // The same targets observed at other values (synthetic data: check_recovery).
  TargetValues observed_at(const std::vector<double>& centres) const;
  double sd(std::size_t target) const { return compared_[target].sd; }
  bool fitted(std::size_t target) const { return compared_[target].fitted; }
  std::size_t size() const { return compared_.size(); }

 private:
  struct Compared {
    enum class Quantity { adoption, share_of_users, price, gap } quantity;
    AgentKind kind = AgentKind::developer;
    int month = 0;
    std::vector<int> countries, stacks;
    std::vector<double> growth;  // [i]: countries[i]'s real count in `month` over the start's (talent)
    std::vector<int> sizes;      // firms: the size classes compared (agents/segments.hpp)
    std::vector<BySize> firms;   // firms: [i][size] countries[i]'s real firms of the class
    double centre = 0, sd = 1;
    bool fitted = true;
  };
  double share(const RunResult& run, const Compared& c, const std::vector<int>& stacks) const;
  double firm_share(const RunResult& run, const Compared& c, const std::vector<int>& stacks) const;
  double value(const RunResult& run, const Compared& c) const;

  std::vector<Compared> compared_;
  int outside_ = -1;
};

}  // namespace stackrace
