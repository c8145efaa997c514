#pragma once
// A calibration: the scenario whose parameters are fitted, the record it is fitted to,
// the parameters with their priors, and how the sampler (sim/calibrate/abc_smc.hpp) is
// run. Read from TOML by load_calibration (worlds/README.md, "Calibrations").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "worlds/record_loader.hpp"
#include "worlds/sweep_spec.hpp"

namespace stackrace {

// A target of the record as the calibration uses it: fitted (inside the fitting window)
// or held out (predicted only), with the error scale its distance is measured in.
struct CalibrationTarget {
  RecordTarget observed;
  int month = 0;       // months since the scenario's start
  bool fitted = true;  // false: held out, its prediction recorded but not fitted
  double sd = 0;       // the observation's error scale (see load_calibration)
};

struct CalibrationSpec {
  std::string name;
  std::string path;      // the calibration file
  std::string scenario;  // the scenario file whose parameters are fitted
  std::string record;    // the record file
  std::optional<std::int64_t> agents;
  int particles = 500;
  std::int64_t simulations = 50'000;  // the budget: the sampler stops before it exceeds it
  std::uint64_t seed = 1;
  double interval_coverage = 0.9;   // the share of the observation error a target's [low, high] holds
  double min_relative_sd = 0.05;    // model error: no target's sd is below this share of its value
  double min_sd = 0.01;             // model error: no share's sd is below this (1 percentage point)
  double ess_fraction = 0.5;        // each tolerance keeps this share of the effective sample size
  int max_moves = 10;               // MCMC moves per generation, at most
  double max_noise = 0.5;           // a share's sampling noise may be at most this share of its target's sd
  std::vector<SweepParameter> parameters;  // uniform, log-uniform or normal priors
  std::vector<CalibrationTarget> targets;  // in record order: the fitted and the held-out
  struct Skipped {
    std::string id, why;
  };
  std::vector<Skipped> skipped;     // targets in range left out: too few agents for their uncertainty
  std::string resolved_toml;        // the calibration with defaults filled in
  std::string record_text;          // the record's targets as used (their ids, months and scales)
};

// Reads and checks a calibration file and the record it names; every parameter's prior
// bounds are tried on the scenario. A target is used when the scenario has an output for
// it (its quantity is not token_share, its kind not population adoption, its stack and
// countries exist) within the scenario's months, and `targets`/`exclude` keep it; it is
// fitted when dated at or before `fit_until` (every target when that is absent). Its
// scale: the half-width of [low, high] over the normal quantile of `interval_coverage`,
// at least `min_relative_sd` of |value| and, for shares, at least `min_sd`. A share whose binomial sampling noise at the
// calibration's agent count exceeds `max_noise` times that scale is left out (`skipped`,
// with the reason): at too few agents it is noise, not evidence. Throws ScenarioError (`FILE:LINE:COL: KEY: what`).
// What the command line changes in a calibration; each is held to the file's rules and
// enters its resolved text (so --resume refuses a file made with other settings).
struct CalibrationOverrides {
  std::optional<int> particles;
  std::optional<std::int64_t> simulations;
};
CalibrationSpec load_calibration(const std::string& path, const CalibrationOverrides& overrides = {});

}  // namespace stackrace
