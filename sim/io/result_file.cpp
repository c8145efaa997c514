#include "sim/io/result_file.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <tuple>
#include <filesystem>
#include <numeric>
#include <span>
#include <utility>

#include "sim/io/chunk_encoding.hpp"
#include "sim/io/output_path.hpp"
#include "sim/rng.hpp"

namespace stackrace {
namespace {

// `share` and `global_share` are stored unshuffled (chunk_encoding.hpp, Shuffle): the
// dataset's filters and the chunks encoded for it must agree.
constexpr Shuffle shares_shuffle = Shuffle::no;

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

template <class T>
std::vector<T> iota_of(std::size_t n) {
  std::vector<T> v(n);
  std::iota(v.begin(), v.end(), T{0});
  return v;
}

}  // namespace

std::string stackrace_version() { return STACKRACE_VERSION; }

std::string run_status_meanings() {
  std::string text;
  for (RunStatus s : {RunStatus::pending, RunStatus::done, RunStatus::failed}) {
    const char* name = s == RunStatus::pending ? "pending" : s == RunStatus::done ? "done" : "failed";
    text += (text.empty() ? "" : ", ") + std::to_string(int(s)) + " " + name;
  }
  return text;
}

ResultWriter::ResultWriter(const std::string& path, const Scenario& scenario, const std::string& scenario_text, int runs,
                           const std::map<std::string, std::string>& attributes, WriteMode mode)
    : mode_(mode), path_(path), partial_(path + ".partial"), runs_(runs) {
  refuse_special_output(path);
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!folder.empty()) std::filesystem::create_directories(folder, error);
  if (error) throw OutputError(path, "cannot create its folder " + folder.string() + ": " + error.message());
  file_ = h5::File::create(partial_, mode == WriteMode::checkpoint);
  times_ = scenario.steps + 1;
  countries_ = scenario.country_count();
  stacks_ = scenario.stack_count();

  file_.write_attribute("format", "stackrace");
  file_.write_attribute("format_version", result_format_version);
  file_.write_attribute("stackrace_version", stackrace_version());
  file_.write_attribute("random_numbers", random_numbers_id);
  file_.write_attribute("min_ranked_developer_agents", min_ranked_developer_agents);
  file_.write_attribute("scenario", scenario_text);
  file_.write_attribute("scenario_name", scenario.name);
  file_.write_attribute("created", utc_now());
  for (const auto& [name, value] : attributes) file_.write_attribute(name, value);
  write_coordinates(scenario, runs);
}

h5::Dataset& ResultWriter::dataset(const std::string& name) {
  return const_cast<h5::Dataset&>(std::as_const(*this).dataset(name));
}

const h5::Dataset& ResultWriter::dataset(const std::string& name) const {
  const auto found = datasets_.find(name);
  if (found == datasets_.end())
    throw OutputError(partial_, "no dataset " + name + ": not a whole stackrace result file", OutputFault::refused);
  return found->second;
}

void ResultWriter::write_coordinates(const Scenario& s, int runs) {
  const h5::Extent R = runs, T = times_, C = countries_, N = agent_kind_count, K = stacks_;
  constexpr h5::DataType int64 = h5::Traits<std::int64_t>::type, text = h5::Traits<std::string>::type;
  auto scale = [&](const std::string& name, h5::DataType type, h5::Extent n) {
    datasets_[name] = file_.create_dataset(name, type, {n});
    dataset(name).make_scale(name);
  };
  scale("run", int64, R);
  scale("time", int64, T);
  scale("country", text, C);
  scale("kind", text, N);
  scale("stack", text, K);
  scale("sector", text, sector_count);
  scale("firm_size", text, firm_size_count);
  scale("bloc", text, bloc_count);
  dataset("run").write(iota_of<std::int64_t>(R), {0}, {R});
  dataset("time").write(iota_of<std::int64_t>(T), {0}, {T});
  dataset("time").write_attribute("start", s.start);
  dataset("time").write_attribute("long_name", "months since start");
  std::vector<std::string> countries, names, regions, alignments, kinds, stacks, blocs;
  std::vector<std::int64_t> tiers;
  std::vector<std::int8_t> open_weights;
  for (const CountrySpec& c : s.countries) {
    countries.push_back(c.id), names.push_back(c.name), regions.push_back(c.region);
    alignments.push_back(alignment_name(c.alignment)), tiers.push_back(c.export_control_tier);
  }
  for (AgentKind kind : all_agent_kinds) kinds.emplace_back(agent_kind_name(kind));
  for (const StackSpec& k : s.stacks)
    stacks.push_back(k.id), blocs.push_back(bloc_name(k.bloc)), open_weights.push_back(k.open_weights ? 1 : 0);
  dataset("country").write(countries);
  dataset("kind").write(kinds);
  dataset("stack").write(stacks);
  std::vector<std::string> sectors, bloc_names;
  for (int sector = 0; sector < sector_count; ++sector) sectors.emplace_back(sector_name(sector));
  for (Bloc b : {Bloc::us, Bloc::cn, Bloc::other}) bloc_names.push_back(bloc_name(b));
  dataset("sector").write(sectors);
  std::vector<std::string> sizes;
  for (int size = 0; size < firm_size_count; ++size) sizes.emplace_back(firm_size_name(size));
  dataset("firm_size").write(sizes);
  dataset("bloc").write(bloc_names);

  // name, type, dims (as scale names), chunk: one run per chunk, as sweeps read run by
  // run, and for `share` one kind of one run (run_chunk_shape).
  struct Variable {
    std::string name;
    h5::DataType type;
    std::vector<std::string> dims;
    Shuffle shuffle = Shuffle::yes;
  };
  constexpr h5::DataType float32 = h5::Traits<float>::type, float64 = h5::Traits<double>::type,
                         int8 = h5::Traits<std::int8_t>::type;
  const std::vector<Variable> variables{
      {"share", float32, {"run", "time", "country", "kind", "stack"}, shares_shuffle},
      {"global_share", float32, {"run", "time", "kind", "stack"}, shares_shuffle},
      {"capability", float64, {"run", "time", "stack"}},
      {"price", float64, {"run", "time", "stack"}},
      {"tokens", float32, {"run", "time", "country", "kind", "stack"}},
      {"global_usage_share", float32, {"run", "time", "kind", "stack"}},
      {"sector_share", float32, {"run", "time", "country", "sector", "stack"}, shares_shuffle},
      {"global_sector_share", float32, {"run", "time", "sector", "stack"}, shares_shuffle},
      {"sector_tokens", float32, {"run", "time", "country", "sector", "stack"}},
      {"size_share", float32, {"run", "time", "country", "firm_size", "stack"}, shares_shuffle},
      {"global_size_share", float32, {"run", "time", "firm_size", "stack"}, shares_shuffle},
      {"lag", float64, {"run", "time", "stack"}},
      {"bloc_compute", float64, {"run", "time", "bloc"}},
      {"bloc_chips", float64, {"run", "time", "bloc"}},
      {"chinese_compute", float32, {"run", "time", "country"}},
      {"unmet_compute", float32, {"run", "time", "country"}},
      {"seed", int64, {"run"}},
      {"status", int8, {"run"}},
      {"agents", int64, {"country", "kind"}},
      {"weight", float64, {"country", "kind"}},
      {"country_name", text, {"country"}},
      {"country_region", text, {"country"}},
      {"country_alignment", text, {"country"}},
      {"country_tier", int64, {"country"}},
      {"firms_by_size", float64, {"country", "firm_size"}},
      {"firm_agents_by_size", int64, {"country", "firm_size"}},
      {"stack_bloc", text, {"stack"}},
      {"stack_open_weights", int8, {"stack"}},
      {"government_ban_month", int64, {"run", "country", "stack"}},
      {"real_developers", float32, {"run", "time", "country"}},
      {"power_load", float32, {"run", "time", "country"}},
      {"robot_share", float32, {"run", "time", "country", "bloc"}},
  };
  const std::map<std::string, h5::Extent> size{{"run", R},  {"time", T},   {"country", C},           {"kind", N},
                                               {"stack", K}, {"sector", sector_count}, {"bloc", bloc_count},
                                               {"firm_size", firm_size_count}};
  for (const Variable& v : variables) {
    h5::Dims dims;
    for (const std::string& d : v.dims) dims.push_back(size.at(d));
    h5::Layout layout;
    if (v.dims.size() > 1 && v.dims.front() == "run") layout.chunk = run_chunk_shape(v.name, dims);
    layout.shuffle = v.shuffle;
    // Floating-point results read as NaN where no run wrote them (pending runs, and the
    // shares of a kind with no agents, whose chunks are not written).
    layout.fill = v.type.floating() ? h5::Fill::nan : h5::Fill::zero;
    datasets_[v.name] = file_.create_dataset(v.name, v.type, dims, layout);
    for (unsigned axis = 0; axis < v.dims.size(); ++axis) dataset(v.name).attach_scale(dataset(v.dims[axis]), axis);
  }
  dataset("share").write_attribute(
      "long_name", "fraction of the kind in the country on the stack (agents weighted by the real entities each stands for)");
  dataset("global_share").write_attribute("long_name", "share weighted by the real entities each agent stands for");
  dataset("price").write_attribute("units", "USD per million tokens");
  dataset("tokens").write_attribute("long_name", "tokens a month used by the country's real entities of the kind on the stack");
  dataset("tokens").write_attribute("units", "tokens per month");
  dataset("global_usage_share").write_attribute("long_name", "share of the kind's tokens in the world used on the stack");
  dataset("sector_share").write_attribute("long_name", "fraction of the country's firm agents of the sector on the stack");
  dataset("global_sector_share")
      .write_attribute("long_name", "sector share weighted by the real firms each agent stands for");
  dataset("sector_tokens").write_attribute("long_name", "tokens a month used by the country's firms of the sector on the stack");
  dataset("size_share").write_attribute("long_name", "fraction of the country's firms of the size class on the stack");
  dataset("global_size_share")
      .write_attribute("long_name", "size-class share weighted by the real firms each agent stands for");
  dataset("sector_tokens").write_attribute("units", "tokens per month");
  dataset("lag").write_attribute("long_name", "months the stack is behind the frontier");
  dataset("lag").write_attribute("units", "months");
  dataset("bloc_compute").write_attribute("long_name", "AI compute the bloc can use (its chips, capped by its power)");
  dataset("bloc_compute").write_attribute("units", "the world's AI compute at the start (compute.<bloc>.share)");
  dataset("bloc_chips").write_attribute("long_name", "AI chips the bloc holds (what its power can run is bloc_compute)");
  dataset("bloc_chips").write_attribute("units", "the world's AI compute at the start (compute.<bloc>.share)");
  dataset("chinese_compute")
      .write_attribute("long_name", "share of the country's new AI compute on Chinese accelerators (export controls filled)");
  dataset("unmet_compute")
      .write_attribute("long_name", "share of the country's demand for new AI accelerators that no one meets");
  dataset("status").write_attribute("flag_meanings", run_status_meanings());
  dataset("government_ban_month")
      .write_attribute("long_name", "month the government barred the stack from its own use, -1 never");
  dataset("country_name").write(names);
  dataset("country_region").write(regions);
  dataset("country_alignment").write(alignments);
  dataset("country_tier").write(tiers, {0}, {C});
  std::vector<double> firms_by_size;
  for (const CountrySpec& c : s.countries)
    for (int size = 0; size < firm_size_count; ++size) firms_by_size.push_back(c.firms * c.firm_size_share[size]);
  dataset("firms_by_size").write(firms_by_size, {0, 0}, {C, h5::Extent(firm_size_count)});
  dataset("firms_by_size")
      .write_attribute("long_name", "real firms of the size class in the country (what size_share is a share of)");
  dataset("firm_agents_by_size")
      .write_attribute("long_name", "firm agents of the size class in the country (allotted by staff, weighted by firms)");
  dataset("stack_bloc").write(blocs);
  dataset("stack_bloc").write_attribute("long_name", "bloc whose chips, clouds and export controls the stack depends on: us, cn, other, none");
  dataset("stack_open_weights").write(open_weights, {0}, {K});
  dataset("stack_open_weights").write_attribute("long_name", "whether the stack's weights are open (1) or not (0)");
  dataset("country_region").write_attribute("long_name", "World Bank region");
  dataset("country_alignment").write_attribute("long_name", "geopolitical alignment: us, cn or none");
  dataset("country_tier")
      .write_attribute("long_name", "export-control tier of the January 2025 AI-diffusion rule (1, 2, 3)");
  dataset("real_developers")
      .write_attribute("long_name", "real developers in the country in the month: its developers grown at its rate (talent)");
  dataset("power_load")
      .write_attribute("long_name", "power the country's self-hosted (open-weight) use needs over the data-centre power AI may draw");
  dataset("power_load").write_attribute("units", "1 (above 1: power binds)");
  dataset("robot_share")
      .write_attribute("long_name", "share of the country's installed industrial robots made by the bloc's makers");
  const std::vector<std::int8_t> pending(R, static_cast<std::int8_t>(RunStatus::pending));
  dataset("status").write(pending, {0}, {R});
}

namespace {

// Where each of EncodedRun::chunks goes: its dataset, for `share` its kind, and the
// dataset's rank (a chunk's offset has an entry per axis).
struct ChunkPlace {
  const char* dataset;
  int kind;  // -1: the whole run
  std::size_t rank;
};
static_assert(agent_kind_count == 3, "one `share` chunk per kind");
constexpr std::array<ChunkPlace, 2 * agent_kind_count + 18> run_chunks{{{"share", 0, 5},
                                                                        {"share", 1, 5},
                                                                        {"share", 2, 5},
                                                                        {"global_share", -1, 4},
                                                                        {"capability", -1, 3},
                                                                        {"price", -1, 3},
                                                                        {"chinese_compute", -1, 3},
                                                                        {"unmet_compute", -1, 3},
                                                                        {"government_ban_month", -1, 3},
                                                                        {"tokens", 0, 5},
                                                                        {"tokens", 1, 5},
                                                                        {"tokens", 2, 5},
                                                                        {"global_usage_share", -1, 4},
                                                                        {"sector_share", -1, 5},
                                                                        {"global_sector_share", -1, 4},
                                                                        {"sector_tokens", -1, 5},
                                                                        {"size_share", -1, 5},
                                                                        {"global_size_share", -1, 4},
                                                                        {"lag", -1, 3},
                                                                        {"bloc_compute", -1, 3},
                                                                        {"bloc_chips", -1, 3},
                                                                        {"real_developers", -1, 3},
                                                                        {"power_load", -1, 3},
                                                                        {"robot_share", -1, 4}}};
constexpr std::size_t kind_axis = 3;  // of `share` and `tokens`: run, time, country, kind, stack

// The datasets stored one kind of one run per chunk.
bool chunked_by_kind(const std::string& dataset) { return dataset == "share" || dataset == "tokens"; }

template <class T>
std::vector<unsigned char> encoded(const std::vector<T>& values, Shuffle shuffle = Shuffle::yes) {
  return encode_chunk(values.data(), values.size() * sizeof(T), sizeof(T), shuffle);
}

}  // namespace

EncodedRun encode_run(const RunResult& result) {
  EncodedRun run{result.seed, result.agents, result.weight, result.firm_agents_by_size, {}};
  // A kind with no agents anywhere has only NaN shares, which the file reads where
  // nothing was written: its chunks are left out (empty).
  std::array<bool, agent_kind_count> any{};
  for (AgentKind kind : all_agent_kinds)
    for (int c = 0; c < result.countries; ++c)
      any[index_of(kind)] = any[index_of(kind)] || result.agents[std::size_t(c) * agent_kind_count + index_of(kind)] > 0;
  // One chunk per kind of a [kind][time][country][stack] dataset; none for a kind without agents.
  auto per_kind = [&](auto&& of_kind, Shuffle shuffle) {
    for (AgentKind kind : all_agent_kinds) {
      const std::span<const float> values = of_kind(kind);
      run.chunks.push_back(any[index_of(kind)] ? encode_chunk(values.data(), values.size_bytes(), sizeof(float), shuffle)
                                               : std::vector<unsigned char>{});
    }
  };
  per_kind([&](AgentKind kind) { return result.kind_share(kind); }, shares_shuffle);
  run.chunks.push_back(encoded(result.global_share, shares_shuffle));
  run.chunks.push_back(encoded(result.capability));
  run.chunks.push_back(encoded(result.price));
  run.chunks.push_back(encoded(result.chinese_compute));
  run.chunks.push_back(encoded(result.unmet_compute));
  run.chunks.push_back(encoded(result.government_ban_month));
  per_kind([&](AgentKind kind) { return result.kind_tokens(kind); }, Shuffle::yes);
  run.chunks.push_back(encoded(result.global_usage_share));
  run.chunks.push_back(encoded(result.sector_share, shares_shuffle));
  run.chunks.push_back(encoded(result.global_sector_share, shares_shuffle));
  run.chunks.push_back(encoded(result.sector_tokens));
  run.chunks.push_back(encoded(result.size_share, shares_shuffle));
  run.chunks.push_back(encoded(result.global_size_share, shares_shuffle));
  run.chunks.push_back(encoded(result.lag));
  run.chunks.push_back(encoded(result.bloc_compute));
  run.chunks.push_back(encoded(result.bloc_chips));
  run.chunks.push_back(encoded(result.real_developers));
  run.chunks.push_back(encoded(result.power_load));
  run.chunks.push_back(encoded(result.robot_share));
  return run;
}

h5::Dims run_chunk_shape(const std::string& dataset, h5::Dims dims) {
  dims.front() = 1;
  if (chunked_by_kind(dataset)) dims[kind_axis] = 1;
  return dims;
}

void ResultWriter::write_run(int r, const RunResult& result) { write_run(r, encode_run(result)); }

void ResultWriter::write_run(int r, const EncodedRun& run) {
  const h5::Extent C = countries_, N = agent_kind_count;
  for (std::size_t v = 0; v < run_chunks.size(); ++v) {
    const auto [name, kind, rank] = run_chunks[v];
    if (run.chunks[v].empty()) continue;  // all NaN: read as the fill value
    // A run's chunk starts at (r, 0, ...), and a kind's `share` at its kind.
    std::array<h5::Extent, 5> at{};
    at.front() = static_cast<h5::Extent>(r);
    if (kind >= 0) at[kind_axis] = static_cast<h5::Extent>(kind);
    dataset(name).write_chunk(std::span(at).first(rank), run.chunks[v]);
  }
  const h5::Extent run_index = r;
  dataset("seed").write_element(static_cast<std::int64_t>(run.seed), {run_index});
  // Agent counts and weights depend only on the scenario: the file keeps the last run's,
  // written only when they differ from what this writer wrote last (in a sweep, nearly
  // never; two writes fewer per run).
  if (run.agents != agents_written_) {
    dataset("agents").write(run.agents, {0, 0}, {C, N});
    agents_written_ = run.agents;
  }
  if (run.firm_agents_by_size != firm_agents_written_) {
    dataset("firm_agents_by_size").write(run.firm_agents_by_size, {0, 0}, {C, h5::Extent(firm_size_count)});
    firm_agents_written_ = run.firm_agents_by_size;
  }
  if (run.weight != weight_written_) {
    dataset("weight").write(run.weight, {0, 0}, {C, N});
    weight_written_ = run.weight;
  }
  dataset("status").write_element(static_cast<std::int8_t>(RunStatus::done), {run_index});
  file_.flush();
}

void ResultWriter::write_comparison(const std::vector<std::string>& names, const std::vector<std::string>& resolved,
                                    const std::vector<std::int64_t>& scenario_of_run,
                                    const std::vector<std::int64_t>& replicate) {
  const h5::Extent S = names.size(), R = scenario_of_run.size();
  datasets_["scenario"] = file_.create_dataset<std::string>("scenario", {S});
  dataset("scenario").make_scale("scenario");
  dataset("scenario").write(names);
  datasets_["scenario_toml"] = file_.create_dataset<std::string>("scenario_toml", {S});
  dataset("scenario_toml").attach_scale(dataset("scenario"), 0);
  dataset("scenario_toml").write(resolved);
  for (auto [name, values] : {std::pair{"scenario_of_run", &scenario_of_run}, std::pair{"replicate", &replicate}}) {
    datasets_[name] = file_.create_dataset<std::int64_t>(name, {R});
    dataset(name).attach_scale(dataset("run"), 0);
    dataset(name).write(*values, {0}, {R});
  }
  dataset("scenario_of_run").write_attribute("long_name", "index into the scenario dimension");
}

void ResultWriter::write_effects(const EffectColumns& local, const EffectColumns& global, double confidence,
                                 Interval interval) {
  const h5::Extent T = times_, C = countries_, N = agent_kind_count, K = stacks_;
  const bool paired = interval == Interval::paired;
  char level[64];
  std::snprintf(level, sizeof level, "%g%% %s confidence interval", 100 * confidence, interval_name(interval));
  const std::vector<std::string> time_country_kind_stack{"time", "country", "kind", "stack"},
      time_kind_stack{"time", "kind", "stack"};
  for (const auto& [prefix, columns, dims] :
       {std::tuple{std::string("effect"), &local, &time_country_kind_stack},
        std::tuple{std::string("global_effect"), &global, &time_kind_stack}}) {
    h5::Dims shape;
    for (const std::string& d : *dims) shape.push_back(d == "time" ? T : d == "country" ? C : d == "kind" ? N : K);
    h5::Layout layout;
    layout.chunk = shape;  // one month per chunk: a selection of a month reads one
    layout.chunk.front() = 1;
    const h5::Dims origin(shape.size(), 0);
    const std::size_t cells = std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
    const std::string change = prefix == "effect" ? "change in share (alternative - base): "
                                                  : "change in global share (alternative - base): ";
    // Each column: created with its dims, written whole, described.
    auto write_column = [&](const std::string& name, const auto& values, const std::string& long_name,
                            const std::string& units) {
      using Value = typename std::decay_t<decltype(values)>::value_type;
      if (values.size() != cells) throw std::invalid_argument("write_effects: " + name + " has the wrong size");
      layout.fill = std::is_floating_point_v<Value> ? h5::Fill::nan : h5::Fill::zero;
      datasets_[name] = file_.create_dataset(name, h5::Traits<Value>::type, shape, layout);
      for (unsigned axis = 0; axis < dims->size(); ++axis) dataset(name).attach_scale(dataset((*dims)[axis]), axis);
      dataset(name).write(values, origin, shape);
      dataset(name).write_attribute("long_name", long_name);
      dataset(name).write_attribute("units", units);
    };
    write_column(prefix, columns->mean, change + (paired ? "mean over replicate pairs" : "difference of the arms' means"),
                 "fraction");
    write_column(prefix + "_low", columns->low, change + "lower end of its " + level, "fraction");
    write_column(prefix + "_high", columns->high, change + "upper end of its " + level, "fraction");
    write_column(prefix + "_n", columns->n,
                 change + (paired ? "replicate pairs with a share in both arms" : "runs with a share in the smaller arm"),
                 paired ? "pairs" : "runs");
  }
  file_.write_attribute("effect_confidence", confidence);
  file_.write_attribute("effect_interval", interval_name(interval));
}

void ResultWriter::write_posterior_spread(const SpreadColumns& global, int draws) {
  const h5::Dims shape{h5::Extent(times_), h5::Extent(agent_kind_count), h5::Extent(stacks_)};
  const char* dims[] = {"time", "kind", "stack"};
  h5::Layout layout;
  layout.chunk = {1, shape[1], shape[2]};
  layout.fill = h5::Fill::nan;
  for (const auto& [name, values, long_name] :
       {std::tuple{"global_effect_draw_low", &global.draw_low, "5% quantile of the posterior draws' mean effects"},
        std::tuple{"global_effect_draw_high", &global.draw_high, "95% quantile of the posterior draws' mean effects"},
        std::tuple{"global_effect_parameter_sd", &global.parameter_sd,
                   "sd of the effect from the parameters' uncertainty (across draws, less their means' noise)"},
        std::tuple{"global_effect_noise_sd", &global.noise_sd,
                   "sd of one replicate pair's effect within a draw: the model's own noise"}}) {
    if (values->size() != shape[0] * shape[1] * shape[2])
      throw std::invalid_argument(std::string("write_posterior_spread: ") + name + " has the wrong size");
    datasets_[name] = file_.create_dataset(name, h5::Traits<double>::type, shape, layout);
    for (unsigned axis = 0; axis < 3; ++axis) dataset(name).attach_scale(dataset(dims[axis]), axis);
    dataset(name).write(*values, {0, 0, 0}, shape);
    dataset(name).write_attribute("long_name", std::string("change in global share (alternative - base): ") + long_name);
    dataset(name).write_attribute("units", "fraction");
  }
  file_.write_attribute("posterior_draws", std::int64_t(draws));
}

std::unique_ptr<ResultWriter> ResultWriter::reopen(const std::string& path) {
  std::unique_ptr<ResultWriter> w(new ResultWriter());
  w->mode_ = WriteMode::checkpoint;
  w->path_ = w->partial_ = path;
  try {
    w->file_ = h5::File::reopen_swmr(path);
  } catch (const OutputError& e) {
    throw OutputError(e.path(), e.cause(), OutputFault::refused);  // not a file HDF5 can open: not a sweep's
  }
  if (!w->file_.has_attribute("format") || w->file_.read_attribute<std::string>("format") != "stackrace")
    throw OutputError(path, "not a stackrace result file (no format = \"stackrace\" attribute)", OutputFault::refused);
  for (const std::string& name : w->file_.names()) w->datasets_[name] = w->file_.dataset(name);
  w->runs_ = static_cast<int>(w->dataset("run").shape().at(0));
  w->times_ = static_cast<int>(w->dataset("time").shape().at(0));
  w->countries_ = static_cast<int>(w->dataset("country").shape().at(0));
  w->stacks_ = static_cast<int>(w->dataset("stack").shape().at(0));
  return w;
}

bool ResultWriter::chunks_match_encoding() {
  for (const ChunkPlace& place : run_chunks)
    if (!datasets_.count(place.dataset) || dataset(place.dataset).chunk_shape() != run_chunk_shape(place.dataset, dataset(place.dataset).shape()))
      return false;
  return true;
}

void ResultWriter::add_run_column(const std::string& name, h5::DataType type, const std::string& long_name) {
  const h5::Extent R = runs_;
  datasets_[name] = file_.create_dataset(name, type, {R}, h5::Layout{{R}});
  dataset(name).attach_scale(dataset("run"), 0);
  if (!long_name.empty()) dataset(name).write_attribute("long_name", long_name);
}

void ResultWriter::start_checkpointing() {
  // A new checkpoint file is made aside, enters SWMR-write mode there, and only then is
  // renamed into place, whole and open: a kill while it is being made leaves only
  // PATH.partial (which the next sweep overwrites), and a kill at any moment after leaves
  // a PATH marked as written in SWMR mode, which readers open and --resume takes. (Closed,
  // renamed and reopened instead, a kill between the reopening and the SWMR mode left a
  // PATH marked as open for plain writing, which no reader opens.)
  file_.flush();
  file_.start_swmr_write();
  if (partial_ != path_) {
    std::error_code error;
    std::filesystem::rename(partial_, path_, error);
    if (error) throw OutputError(path_, "cannot rename " + partial_ + " to it: " + error.message());
    partial_ = path_;
    // A disk that fills later fails a write to PATH, which is where the user finds it.
    file_.file_renamed(path_);
    for (auto& [name, dataset] : datasets_) dataset.file_renamed(path_);
  }
}

void ResultWriter::mark_failed(int r, const std::string& message) {
  if (datasets_.count("error")) write_run_column("error", r, ErrorMessage(message));
  dataset("status").write_element(static_cast<std::int8_t>(RunStatus::failed), {h5::Extent(r)});
  file_.flush();
}

std::vector<std::int8_t> ResultWriter::status() const {
  return dataset("status").read<std::int8_t>({0}, {h5::Extent(runs_)});
}

std::string ResultWriter::attribute(const std::string& name) const {
  return file_.has_attribute(name) ? file_.read_attribute<std::string>(name) : std::string();
}

void ResultWriter::commit() {
  datasets_.clear();
  file_.close();
  if (mode_ == WriteMode::atomic) {
    std::error_code error;
    std::filesystem::rename(partial_, path_, error);
    if (error) throw OutputError(path_, "cannot rename " + partial_ + " to it: " + error.message());
  }
  committed_ = true;
}

ResultWriter::~ResultWriter() {
  // A checkpoint file in place keeps what it holds; one still being made aside goes.
  if (committed_ || (mode_ == WriteMode::checkpoint && partial_ == path_)) return;
  datasets_.clear();
  file_ = h5::File();
  std::error_code ignored;
  std::filesystem::remove(partial_, ignored);
}

}  // namespace stackrace
