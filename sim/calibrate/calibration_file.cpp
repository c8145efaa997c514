#include "sim/calibrate/calibration_file.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <filesystem>
#include <numeric>

#include "sim/io/cf_attributes.hpp"
#include "sim/io/hdf5.hpp"
#include "sim/io/input_path.hpp"
#include "sim/io/text_dataset.hpp"
#include "sim/rng.hpp"
#include "worlds/csv_table.hpp"
#include "worlds/detail/parameter_reader.hpp"
#include "worlds/scenario_error.hpp"

namespace stackrace {
namespace {

constexpr std::int64_t calibration_format_version = 1;

std::string prior_name(SweepParameter::Kind kind) {
  return kind == SweepParameter::Kind::loguniform ? "loguniform"
         : kind == SweepParameter::Kind::normal   ? "normal"
                                                  : "uniform";
}

// Writes the file's datasets, each with its dimension scales attached and described as
// the CF conventions have it (sim/io/cf_attributes.hpp).
class Writer {
 public:
  explicit Writer(const std::string& path) : file_(h5::File::create(path)) {}
  h5::File& file() { return file_; }

  template <class T>
  void scale(const std::string& name, const std::vector<T>& values, const std::string& long_name) {
    h5::Dataset d = file_.create_dataset<T>(name, {values.size()});
    d.write(values);
    d.make_scale(name);
    cf::describe(d, long_name, units_of<T>());
    dims_[name] = {name};
    scales_.emplace(name, std::move(d));
  }
  // A dataset; `auxiliary`: one that describes its dimension's entries (a target's date)
  // rather than measures them, which netCDF tools attach to the variables over that
  // dimension.
  template <class T>
  h5::Dataset& data(const std::string& name, const std::vector<T>& values, const std::vector<std::string>& dims,
                    const std::string& long_name, bool auxiliary = false) {
    h5::Dims shape;
    for (const std::string& dim : dims) shape.push_back(scales_.at(dim).shape().at(0));
    h5::Layout layout;
    layout.fill = std::is_floating_point_v<T> ? h5::Fill::nan : h5::Fill::zero;  // NaN: a prior's unused bounds
    h5::Dataset d = file_.create_dataset<T>(name, shape, layout);
    if (!values.empty()) d.write(values);
    for (unsigned axis = 0; axis < dims.size(); ++axis) d.attach_scale(scales_.at(dims[axis]), axis);
    cf::describe(d, long_name, units_of<T>());
    if constexpr (std::is_floating_point_v<T>) cf::write_nan_fill(d, h5::Traits<T>::type);
    dims_[name] = dims;
    if (auxiliary) auxiliary_.push_back(name);
    return datasets_.emplace_back(std::move(d));
  }
  // The attributes that name every dataset, then closes.
  void close(const std::string& title, const std::string& created) {
    cf::write_global_attributes(file_, title, created, "calibrate");
    cf::write_coordinates(file_, dims_, auxiliary_);
    datasets_.clear();
    scales_.clear();
    file_.close();
  }

 private:
  // Numbers here are counts, indices, shares, or values in a parameter's or a target's
  // own units: "1", CF's units of what has none of its own. Text has none.
  template <class T>
  static std::string units_of() {
    return std::is_same_v<T, std::string> ? "" : "1";
  }

  h5::File file_;
  std::map<std::string, h5::Dataset> scales_;
  std::vector<h5::Dataset> datasets_;
  std::map<std::string, std::vector<std::string>> dims_;
  std::vector<std::string> auxiliary_;
};

template <class T, class F>
std::vector<T> column(const std::vector<CalibrationTarget>& targets, F f) {
  std::vector<T> v;
  for (const CalibrationTarget& t : targets) v.push_back(f(t));
  return v;
}

void write_metadata(Writer& w, const CalibrationSpec& spec, const CalibrationIdentity& identity,
                    const std::string& created) {
  h5::File& f = w.file();
  f.write_attribute("format", "stackrace");
  f.write_attribute("command", "calibrate");
  f.write_attribute("calibration_format_version", calibration_format_version);
  f.write_attribute("stackrace_version", std::string(STACKRACE_VERSION));
  f.write_attribute("random_numbers", random_numbers_id);
  f.write_attribute("name", spec.name);
  f.write_attribute("record", spec.record);
  f.write_attribute("created", created);
  write_text(f, "calibration_toml", identity.calibration, "the calibration file, resolved (TOML)");
  write_text(f, "scenario_toml", identity.scenario, "the scenario, resolved (TOML)");
  write_text(f, "targets_csv", identity.targets, "the targets as fitted, with their error scales (CSV)");
}

void write_targets(Writer& w, const CalibrationSpec& spec) {
  const auto& t = spec.targets;
  w.scale("target", column<std::string>(t, [](auto& x) { return x.observed.id; }), "target of the record (its id)");
  const bool aux = true;  // each describes a target
  w.data("target_value", column<double>(t, [](auto& x) { return x.observed.value; }), {"target"},
         "observed value, in its quantity's units", aux);
  w.data("target_low", column<double>(t, [](auto& x) { return x.observed.low; }), {"target"}, "observed interval, low",
         aux);
  w.data("target_high", column<double>(t, [](auto& x) { return x.observed.high; }), {"target"},
         "observed interval, high", aux);
  w.data("target_sd", column<double>(t, [](auto& x) { return x.sd; }), {"target"},
         "error scale of the target's distance (interval half-width over the normal quantile, floored)", aux);
  const std::vector<std::int8_t> held_out_fitted{0, 1};
  cf::write_flags(w.data("target_fitted", column<std::int8_t>(t, [](auto& x) { return std::int8_t(x.fitted); }),
                         {"target"}, "whether the target is fitted or held out (predicted only)", aux),
                  std::span(held_out_fitted), "held_out fitted");
  w.data("target_date", column<std::string>(t, [](auto& x) { return x.observed.date; }), {"target"},
         "month of the observation (YYYY-MM)", aux);
  w.data("target_month", column<std::int64_t>(t, [](auto& x) { return std::int64_t(x.month); }), {"target"},
         "months since the scenario's start", aux);
  w.data("target_quantity", column<std::string>(t, [](auto& x) { return x.observed.quantity; }), {"target"},
         "quantity observed", aux);
  w.data("target_kind", column<std::string>(t, [](auto& x) { return x.observed.kind; }), {"target"},
         "kind of agent observed", aux);
  w.data("target_stack", column<std::string>(t, [](auto& x) { return x.observed.stack; }), {"target"},
         "stack observed", aux);
  w.data("target_country", column<std::string>(t, [](auto& x) { return x.observed.country; }), {"target"},
         "country observed (empty: the world)", aux);
  w.data("target_description", column<std::string>(t, [](auto& x) { return x.observed.description; }), {"target"},
         "what the record says of the target", aux);
}

void write_priors(Writer& w, const CalibrationSpec& spec) {
  std::vector<std::string> names, keys, kinds;
  std::vector<double> lo, hi, mean, sd;
  for (const SweepParameter& p : spec.parameters) {
    names.push_back(p.name);
    keys.push_back(p.key);
    kinds.push_back(prior_name(p.kind));
    const bool normal = p.kind == SweepParameter::Kind::normal;
    lo.push_back(normal ? std::nan("") : p.lo);
    hi.push_back(normal ? std::nan("") : p.hi);
    mean.push_back(normal ? p.mean : std::nan(""));
    sd.push_back(normal ? p.sd : std::nan(""));
  }
  w.scale("parameter", names, "calibrated parameter");
  const bool aux = true;  // each describes a parameter
  w.data("parameter_key", keys, {"parameter"}, "the scenario key the parameter sets", aux);
  w.data("prior", kinds, {"parameter"}, "prior distribution: uniform, loguniform or normal", aux);
  w.data("prior_low", lo, {"parameter"}, "lower bound of a uniform or loguniform prior", aux);
  w.data("prior_high", hi, {"parameter"}, "upper bound of a uniform or loguniform prior", aux);
  w.data("prior_mean", mean, {"parameter"}, "mean of a normal prior", aux);
  w.data("prior_sd", sd, {"parameter"}, "standard deviation of a normal prior", aux);
}

void write_generations(Writer& w, const SmcState& state) {
  const auto& h = state.history;
  std::vector<std::int64_t> generation(h.size()), moves, simulations;
  std::iota(generation.begin(), generation.end(), 0);
  std::vector<double> tolerance, ess, acceptance, theta, distance2;
  std::vector<float> summaries;
  for (const SmcGeneration& g : h) {
    tolerance.push_back(g.tolerance);
    ess.push_back(g.ess);
    acceptance.push_back(g.acceptance);
    moves.push_back(g.moves);
    simulations.push_back(g.simulations);
    theta.insert(theta.end(), g.theta.begin(), g.theta.end());
    distance2.insert(distance2.end(), g.distance2.begin(), g.distance2.end());
    summaries.insert(summaries.end(), g.summaries.begin(), g.summaries.end());
  }
  w.scale("generation", generation, "generation of the sampler (0: the prior's)");
  const bool aux = true;  // each describes a generation
  w.data("tolerance", tolerance, {"generation"},
         "ABC tolerance: the kernel's scale in units of the targets' sd (1: the posterior)", aux);
  w.data("ess", ess, {"generation"}, "effective sample size after reweighting", aux);
  w.data("acceptance", acceptance, {"generation"}, "share of the moves' proposals accepted", aux);
  w.data("moves", moves, {"generation"}, "Metropolis-Hastings steps of every particle", aux);
  w.data("simulations", simulations, {"generation"}, "simulations run up to the generation's end", aux);
  w.data("theta", theta, {"generation", "particle", "parameter"}, "parameter values of the particles");
  // Every generation ends resampled and moved: its particles weigh the same.
  const std::size_t particles = h.empty() ? 0 : h.front().distance2.size();
  w.data("weight", std::vector<double>(h.size() * particles, particles ? 1.0 / double(particles) : 0.0),
         {"generation", "particle"}, "importance weight of each particle (equal: each generation ends resampled)");
  w.data("distance2", distance2, {"generation", "particle"},
         "sum over fitted targets of ((model - observed) / sd)^2 of the particle's simulation");
  w.data("summary", summaries, {"generation", "particle", "target"}, "the model's value of each target in the particle's simulation");
}

// The sampler's state (for --resume), as datasets prefixed state_ and root attributes.
void write_state(Writer& w, const SmcState& s, int P) {
  w.scale("parameter_pair", std::vector<std::int64_t>(std::size_t(P) * P, 0),
          "pair of parameters (row-major): the proposal's covariance factor's entries");
  w.data("state_z", s.z, {"particle", "parameter"}, "sampler state: the particles' coordinates");
  w.data("state_distance2", s.distance2, {"particle"}, "sampler state: the particles' distances");
  w.data("state_noise", s.noise, {"particle"}, "sampler state: each particle's simulation index (its random numbers)");
  w.data("state_summary", s.summaries, {"particle", "target"}, "sampler state: the particles' summaries");
  w.data("state_cholesky", s.cholesky.empty() ? std::vector<double>(std::size_t(P) * P, 0.0) : s.cholesky,
         {"parameter_pair"}, "sampler state: the proposal's covariance factor");
  h5::File& f = w.file();
  f.write_attribute("state_generation", std::int64_t(s.generation));
  f.write_attribute("state_move", std::int64_t(s.move));
  f.write_attribute("state_moves", std::int64_t(s.moves));
  f.write_attribute("state_beta", s.beta);
  f.write_attribute("state_scale", s.scale);
  f.write_attribute("state_ess", s.ess);
  f.write_attribute("state_simulations", std::int64_t(s.simulations));
  f.write_attribute("state_proposed", std::int64_t(s.proposed));
  f.write_attribute("state_accepted", std::int64_t(s.accepted));
  f.write_attribute("state_refreshed", std::int8_t(s.refreshed));
  f.write_attribute("done", std::int8_t(s.done));
  f.write_attribute("converged", std::int8_t(s.converged));
}

}  // namespace

void write_calibration_file(const std::string& path, const CalibrationSpec& spec, const CalibrationIdentity& identity,
                            const SmcState& state) {
  const std::string partial = path + ".partial";
  {
    Writer w(partial);
    const std::string created = cf::utc_now();
    write_metadata(w, spec, identity, created);
    std::vector<std::int64_t> particles(std::size_t(spec.particles));
    std::iota(particles.begin(), particles.end(), 0);
    w.scale("particle", particles, "particle of the sampler");
    write_targets(w, spec);
    write_priors(w, spec);
    write_generations(w, state);
    write_state(w, state, static_cast<int>(spec.parameters.size()));
    w.close("stackrace calibration " + spec.name, created);
  }
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  if (error) throw OutputError(path, "cannot rename " + partial + " to it: " + error.message());
}

CalibrationDigest read_calibration_digest(const std::string& path) {
  h5::File f = h5::File::open(path);
  CalibrationDigest d;
  d.name = f.read_attribute<std::string>("name");
  d.version = f.read_attribute<std::string>("stackrace_version");
  d.created = f.read_attribute<std::string>("created");
  d.converged = f.read_attribute<std::int8_t>("converged") != 0;
  const auto tolerance = f.dataset("tolerance").read<double>();
  const auto simulations = f.dataset("simulations").read<std::int64_t>();
  d.generations = static_cast<int>(tolerance.size());
  d.tolerance = tolerance.empty() ? 0.0 : tolerance.back();
  d.simulations = simulations.empty() ? 0 : simulations.back();
  for (std::int8_t fitted : f.dataset("target_fitted").read<std::int8_t>()) (fitted ? d.fitted : d.held_out) += 1;
  const auto names = f.dataset("parameter").read<std::string>();
  const auto keys = f.dataset("parameter_key").read<std::string>();
  const auto priors = f.dataset("prior").read<std::string>();
  const h5::Dataset theta = f.dataset("theta");
  const h5::Dims shape = theta.shape();  // generation, particle, parameter
  d.particles = static_cast<int>(shape[1]);
  const std::vector<double> last = theta.read<double>({shape[0] - 1, 0, 0}, {1, shape[1], shape[2]});
  for (std::size_t p = 0; p < names.size(); ++p) {
    std::vector<double> x;
    for (std::size_t j = 0; j < shape[1]; ++j) x.push_back(last[j * shape[2] + p]);
    std::sort(x.begin(), x.end());
    auto at = [&](double q) { return x[std::min(x.size() - 1, std::size_t(q * double(x.size() - 1) + 0.5))]; };
    d.parameters.push_back({names[p], keys[p], priors[p], at(0.05), at(0.5), at(0.95)});
  }
  return d;
}

namespace {

// A table of draws, one column per scenario key (what `stackrace.calibration.draws(...)
// .to_csv(...)` writes, as the shipped worlds/calibrations/*.posterior.csv).
PosteriorDraws read_posterior_table(const std::string& path) {
  const CsvTable table = CsvTable::read(path, "the posterior");
  PosteriorDraws d;
  d.keys = table.header();
  if (d.keys.empty() || table.rows() == 0) throw ScenarioError(path + ":1:1: the posterior has no draws");
  for (const std::string& key : d.keys) d.names.push_back(detail::column_name(key));
  for (std::size_t row = 0; row < table.rows(); ++row)
    for (const std::string& key : d.keys) d.values.push_back(*table.number(row, key, -1e300, 1e300));
  d.converged = true;
  return d;
}

// Opens a file given as a calibration's: one that cannot be opened as HDF5 is refused
// (exit 2), as the wrong file, not a failure to read.
h5::File open_given(const std::string& path, const std::string& option) {
  try {
    refuse_unreadable_input(path);
  } catch (const OutputError& e) {
    throw OutputError(path, option + ": " + e.cause(), OutputFault::refused);
  }
  try {
    return h5::File::open(path);
  } catch (const OutputError& e) {
    throw OutputError(path, option + ": not a calibration's file (it does not open as HDF5)", OutputFault::refused);
  }
}

}  // namespace

PosteriorDraws read_posterior(const std::string& path) {
  if (path.size() > 4 && path.substr(path.size() - 4) == ".csv") return read_posterior_table(path);
  h5::File f = open_given(path, "--posterior");
  if (!f.has_attribute("command") || f.read_attribute<std::string>("command") != "calibrate")
    throw OutputError(path, "--posterior: not a calibration's file (written by stackrace calibrate)",
                      OutputFault::refused);
  PosteriorDraws d;
  d.names = f.dataset("parameter").read<std::string>();
  d.keys = f.dataset("parameter_key").read<std::string>();
  d.converged = f.read_attribute<std::int8_t>("converged") != 0;
  const h5::Dataset theta = f.dataset("theta");
  const h5::Dims shape = theta.shape();  // generation, particle, parameter
  d.values = theta.read<double>({shape[0] - 1, 0, 0}, {1, shape[1], shape[2]});
  return d;
}

SmcState read_calibration_state(const std::string& path, const CalibrationIdentity& identity) {
  h5::File f = open_given(path, "--resume");
  auto refuse = [&](const std::string& why) { return OutputError(path, "--resume: " + why, OutputFault::refused); };
  if (!f.has_attribute("command") || f.read_attribute<std::string>("command") != "calibrate")
    throw refuse("not a calibration's file");
  if (!f.contains("calibration_toml"))
    throw refuse("this file was written by an older stackrace, which kept the calibration in an attribute: calibrate "
                 "again into a new file");
  if (read_text(f, "calibration_toml") != identity.calibration)
    throw refuse("this file was written by a different calibration");
  if (read_text(f, "scenario_toml") != identity.scenario)
    throw refuse("the scenario (or a file it extends, or its country table) has changed since this file was "
                 "written: calibrate again into a new file");
  if (read_text(f, "targets_csv") != identity.targets)
    throw refuse("the record's targets have changed since this file was written: calibrate again into a new file");
  if (f.read_attribute<std::string>("random_numbers") != random_numbers_id)
    throw refuse("this file was drawn with other random numbers (an older stackrace): calibrate again into a new file");
  SmcState s;
  s.generation = static_cast<int>(f.read_attribute<std::int64_t>("state_generation"));
  s.move = static_cast<int>(f.read_attribute<std::int64_t>("state_move"));
  s.moves = static_cast<int>(f.read_attribute<std::int64_t>("state_moves"));
  s.beta = f.read_attribute<double>("state_beta");
  s.scale = f.read_attribute<double>("state_scale");
  s.ess = f.read_attribute<double>("state_ess");
  s.simulations = f.read_attribute<std::int64_t>("state_simulations");
  s.proposed = f.read_attribute<std::int64_t>("state_proposed");
  s.accepted = f.read_attribute<std::int64_t>("state_accepted");
  s.refreshed = f.read_attribute<std::int8_t>("state_refreshed") != 0;
  s.done = f.read_attribute<std::int8_t>("done") != 0;
  s.converged = f.read_attribute<std::int8_t>("converged") != 0;
  s.z = f.dataset("state_z").read<double>();
  s.distance2 = f.dataset("state_distance2").read<double>();
  s.noise = f.dataset("state_noise").read<std::int64_t>();
  s.summaries = f.dataset("state_summary").read<float>();
  s.cholesky = f.dataset("state_cholesky").read<double>();
  if (s.generation == 0) s.cholesky.clear();  // none yet: the first generation makes it
  const auto tolerance = f.dataset("tolerance").read<double>();
  const auto ess = f.dataset("ess").read<double>();
  const auto acceptance = f.dataset("acceptance").read<double>();
  const auto moves = f.dataset("moves").read<std::int64_t>();
  const auto simulations = f.dataset("simulations").read<std::int64_t>();
  const auto theta = f.dataset("theta").read<double>();
  const auto distance2 = f.dataset("distance2").read<double>();
  const auto summaries = f.dataset("summary").read<float>();
  const std::size_t G = tolerance.size(), per_theta = G ? theta.size() / G : 0, per_d = G ? distance2.size() / G : 0,
                    per_s = G ? summaries.size() / G : 0;
  for (std::size_t g = 0; g < G; ++g) {
    SmcGeneration x;
    x.tolerance = tolerance[g];
    x.ess = ess[g];
    x.acceptance = acceptance[g];
    x.moves = static_cast<int>(moves[g]);
    x.simulations = simulations[g];
    x.theta.assign(theta.begin() + g * per_theta, theta.begin() + (g + 1) * per_theta);
    x.distance2.assign(distance2.begin() + g * per_d, distance2.begin() + (g + 1) * per_d);
    x.summaries.assign(summaries.begin() + g * per_s, summaries.begin() + (g + 1) * per_s);
    s.history.push_back(std::move(x));
  }
  return s;
}

}  // namespace stackrace
