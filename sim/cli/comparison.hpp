#pragma once
// Statistics for comparing two scenarios over replicate runs: the change in a share
// (alternative minus base) with a confidence interval. With common random numbers
// (replicate i of both scenarios has the same seed) the runs are paired, and the paired
// t-interval is the right one; with independent seeds, Welch's.
//
// These are the only implementation of the intervals: `stackrace compare` computes them
// once for every month, country, kind and stack, writes them into the compare file
// (`effect*`, `global_effect*`) and prints its table from them; the Python package reads
// them from the file. The rules for the edge cases (README, "The result file"):
// - a NaN value (a country without agents of the kind in that arm) is left out: with
//   pairs, the pair is; with independent arms, the run;
// - n is the number of pairs left (paired), or the smaller arm's number of runs (Welch);
// - n = 0: the change and its interval are NaN; n = 1: the change is the one difference,
//   its interval NaN (printed "n/a");
// - no spread (every pair's difference alike, or both arms constant): the interval has
//   zero width, low = high = the change;
// - otherwise the t-interval, at n − 1 degrees of freedom (paired) or Welch–Satterthwaite's
//   fractional degrees of freedom, with the exact t quantile.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/io/result_file.hpp"
#include "sim/run_result.hpp"

namespace stackrace {

// The level `stackrace compare` uses unless given --confidence.
inline constexpr double default_confidence = 0.95;

struct ShareChange {
  double mean = 0;
  double low = 0;  // the confidence interval; NaN when n < 2
  double high = 0;
  std::int64_t n = 0;
  double half_width() const { return (high - low) / 2; }
};

// Student's t quantile t_p(df), df > 0 (fractional for Welch's intervals); NaN otherwise.
double t_quantile(double p, double df);
inline double t_975(double df) { return t_quantile(0.975, df); }

ShareChange paired_change(std::span<const double> base, std::span<const double> alternative,
                          double confidence = default_confidence);
ShareChange independent_change(std::span<const double> base, std::span<const double> alternative,
                               double confidence = default_confidence);
inline ShareChange paired_change(const std::vector<double>& base, const std::vector<double>& alternative,
                                 double confidence = default_confidence) {
  return paired_change(std::span<const double>(base), std::span<const double>(alternative), confidence);
}
inline ShareChange independent_change(const std::vector<double>& base, const std::vector<double>& alternative,
                                      double confidence = default_confidence) {
  return independent_change(std::span<const double>(base), std::span<const double>(alternative), confidence);
}

// A level as a percentage: "95%".
std::string level_text(double confidence);

// "+1.23 pp [+0.98, +1.48]" (percentage points), each number "n/a" where it is NaN.
std::string format_change(const ShareChange& change);

// The effect of the alternative on every share of a comparison: `local` over (time,
// country, kind, stack) from `share`, `global` over (time, kind, stack) from
// `global_share`, laid out as the file's datasets. base[i] and alternative[i] are
// replicate i of each arm (paired by position when the interval is paired).
struct Effects {
  int times = 0, countries = 0, stacks = 0;
  Interval interval = Interval::paired;
  double confidence = default_confidence;
  EffectColumns local, global;

  ShareChange at(int t, int c, AgentKind kind, int k) const;
  ShareChange global_at(int t, AgentKind kind, int k) const;
};
Effects compare_effects(const std::vector<RunResult>& base, const std::vector<RunResult>& alternative,
                        Interval interval, double confidence = default_confidence);

// A comparison over D posterior draws of R replicates each (runs [draw][replicate] in both
// arms, paired; every pair with its own random numbers): the draws' mean effects' 5-95%
// range, the parameters' sd (the variance of the draws' means less the noise variance in
// a mean of R pairs, floored at 0; with one replicate the noise cannot be told apart and
// stays in it; NaN with one draw) and the noise sd (the pooled within-draw sd of a pair's
// effect; NaN with one replicate).
SpreadColumns posterior_spread(const std::vector<RunResult>& base, const std::vector<RunResult>& alternative,
                               int draws, int replicates);

}  // namespace stackrace
