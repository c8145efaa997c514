#include "sim/io/result_file.hpp"

#include <array>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <tuple>
#include <filesystem>
#include <numeric>
#include <span>
#include <utility>

#include "sim/io/cf_attributes.hpp"
#include "sim/io/cf_time.hpp"
#include "sim/io/chunk_encoding.hpp"
#include "sim/io/output_path.hpp"
#include "sim/io/text_dataset.hpp"
#include "sim/rng.hpp"

namespace stackrace {
namespace {

// `share` and `global_share` are stored unshuffled (chunk_encoding.hpp, Shuffle): the
// dataset's filters and the chunks encoded for it must agree.
constexpr Shuffle shares_shuffle = Shuffle::no;

// A failed run's message as the `error` column holds it: at most error_message_bytes - 1
// bytes, cut where a character starts (netCDF tools decode it as UTF-8), then nulls.
std::array<char, error_message_bytes> error_text(const std::string& message) {
  std::array<char, error_message_bytes> text{};
  std::size_t bytes = std::min(message.size(), error_message_bytes - 1);
  const auto continues = [&](std::size_t i) { return (static_cast<unsigned char>(message[i]) & 0xC0) == 0x80; };
  while (bytes > 0 && bytes < message.size() && continues(bytes)) --bytes;  // UTF-8's 10xxxxxx
  std::copy_n(message.data(), bytes, text.data());
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

std::vector<std::int8_t> run_status_values() {
  return {std::int8_t(RunStatus::pending), std::int8_t(RunStatus::done), std::int8_t(RunStatus::failed)};
}

std::string run_status_meanings() {
  std::string text;
  for (std::int8_t s : run_status_values()) {
    const char* name = RunStatus(s) == RunStatus::pending ? "pending" : RunStatus(s) == RunStatus::done ? "done" : "failed";
    if (!text.empty()) text += ' ';
    text += name;
  }
  return text;
}

ResultWriter::ResultWriter(const std::string& path, const Scenario& scenario, const std::string& scenario_text, int runs,
                           const std::map<std::string, std::string>& attributes, WriteMode mode)
    : mode_(mode), path_(path), partial_(path + ".partial"), runs_(runs), scenario_text_(scenario_text),
      created_(cf::utc_now()) {
  refuse_special_output(path);
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!folder.empty()) std::filesystem::create_directories(folder, error);
  if (error) throw OutputError(path, "cannot create its folder " + folder.string() + ": " + error.message());
  file_ = h5::File::create(partial_, mode == WriteMode::checkpoint);
  times_ = scenario.steps + 1;
  countries_ = scenario.country_count();
  stacks_ = scenario.stack_count();
  command_ = attributes.count("command") ? attributes.at("command") : "run";
  title_ = "stackrace " + command_ + " of " + scenario.name;

  file_.write_attribute("format", "stackrace");
  file_.write_attribute("format_version", result_format_version);
  file_.write_attribute("stackrace_version", stackrace_version());
  file_.write_attribute("random_numbers", random_numbers_id);
  file_.write_attribute("min_ranked_developer_agents", min_ranked_developer_agents);
  file_.write_attribute("scenario_name", scenario.name);
  file_.write_attribute("created", created_);
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

h5::Dims ResultWriter::shape_of(const std::vector<std::string>& dims) const {
  h5::Dims shape;
  for (const std::string& d : dims) shape.push_back(dataset(d).shape().at(0));
  return shape;
}

h5::Dataset& ResultWriter::create(const Variable& v, h5::Layout layout) {
  // Floating-point values read as NaN where nothing was written (pending runs, and the
  // shares of a kind with no agents, whose chunks are not written), and say so.
  layout.fill = v.type.floating() ? h5::Fill::nan : h5::Fill::zero;
  h5::Dataset& created = datasets_[v.name] = file_.create_dataset(v.name, v.type, shape_of(v.dims), layout);
  for (unsigned axis = 0; axis < v.dims.size(); ++axis) created.attach_scale(dataset(v.dims[axis]), axis);
  dims_[v.name] = v.dims;
  cf::describe(created, v.long_name, v.units);
  if (v.type.floating()) cf::write_nan_fill(created, v.type);
  return created;
}

h5::Dataset& ResultWriter::create_scale(const std::string& name, h5::DataType type, h5::Extent n,
                                        const std::string& long_name, const std::string& units) {
  h5::Dataset& created = datasets_[name] = file_.create_dataset(name, type, {n});
  created.make_scale(name);
  dims_[name] = {name};
  cf::describe(created, long_name, units);
  return created;
}

void ResultWriter::write_coordinates(const Scenario& s, int runs) {
  const h5::Extent R = runs, T = times_, C = countries_, N = agent_kind_count, K = stacks_;
  constexpr h5::DataType int64 = h5::Traits<std::int64_t>::type, text = h5::Traits<std::string>::type;
  create_scale("run", int64, R, "run", "1").write(iota_of<std::int64_t>(R), {0}, {R});
  h5::Dataset& time = create_scale("time", int64, T, "time: the first day of each month", cf::time_units(s.start));
  time.write(cf::days_since_start(s.start, times_), {0}, {T});
  time.write_char_attribute("calendar", cf::calendar);
  time.write_char_attribute("standard_name", "time");
  time.write_char_attribute("axis", "T");
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
  std::vector<std::string> sectors, bloc_names;
  for (int sector = 0; sector < sector_count; ++sector) sectors.emplace_back(sector_name(sector));
  for (Bloc b : {Bloc::us, Bloc::cn, Bloc::other}) bloc_names.push_back(bloc_name(b));
  create_scale("country", text, C, "country (ISO 3166-1 alpha-3 code)").write(countries);
  create_scale("kind", text, N, "kind of agent: country (its government), firm, developer").write(kinds);
  create_scale("stack", text, K, "AI stack (none: the outside option)").write(stacks);
  create_scale("sector", text, sector_count, "firm sector").write(sectors);
  std::vector<std::string> sizes;
  for (int size = 0; size < firm_size_count; ++size) sizes.emplace_back(firm_size_name(size));
  create_scale("firm_size", text, firm_size_count,
               "firm size class by persons employed: micro 0-9, small 10-49, medium 50-249, large 250+")
      .write(sizes);
  create_scale("bloc", text, bloc_count, "bloc of chips, clouds and export controls").write(bloc_names);

  // Chunks hold one run, as sweeps read run by run, and of `share` and `tokens` one kind
  // of one run (run_chunk_shape).
  constexpr h5::DataType float32 = h5::Traits<float>::type, float64 = h5::Traits<double>::type,
                         int8 = h5::Traits<std::int8_t>::type;
  const std::vector<Variable> variables{
      {"share", float32, {"run", "time", "country", "kind", "stack"},
       "fraction of the kind in the country on the stack (agents weighted by the real entities each stands for)", "1",
       shares_shuffle},
      {"global_share", float32, {"run", "time", "kind", "stack"},
       "share weighted by the real entities each agent stands for", "1", shares_shuffle},
      {"capability", float64, {"run", "time", "stack"}, "capability of the stack's models (the frontier at the start: 1)",
       "1"},
      {"price", float64, {"run", "time", "stack"}, "price of the stack's tokens", "USD per million tokens"},
      {"tokens", float32, {"run", "time", "country", "kind", "stack"},
       "tokens a month used by the country's real entities of the kind on the stack", "month-1"},
      {"global_usage_share", float32, {"run", "time", "kind", "stack"},
       "share of the kind's tokens in the world used on the stack", "1"},
      {"sector_share", float32, {"run", "time", "country", "sector", "stack"},
       "fraction of the country's firms of the sector on the stack", "1", shares_shuffle},
      {"global_sector_share", float32, {"run", "time", "sector", "stack"},
       "sector share weighted by the real firms each agent stands for", "1", shares_shuffle},
      {"sector_tokens", float32, {"run", "time", "country", "sector", "stack"},
       "tokens a month used by the country's firms of the sector on the stack", "month-1"},
      {"size_share", float32, {"run", "time", "country", "firm_size", "stack"},
       "fraction of the country's firms of the size class on the stack", "1", shares_shuffle},
      {"global_size_share", float32, {"run", "time", "firm_size", "stack"},
       "size-class share weighted by the real firms each agent stands for", "1", shares_shuffle},
      {"lag", float64, {"run", "time", "stack"}, "months the stack is behind the frontier", "months"},
      {"bloc_compute", float64, {"run", "time", "bloc"},
       "AI compute the bloc can use (its chips, capped by its power), as a fraction of the world's AI compute at the "
       "start (compute.<bloc>.share)",
       "1"},
      {"bloc_chips", float64, {"run", "time", "bloc"},
       "AI chips the bloc holds (what its power can run is bloc_compute), as a fraction of the world's AI compute at "
       "the start",
       "1"},
      {"chinese_compute", float32, {"run", "time", "country"},
       "share of the country's new AI compute on Chinese accelerators (export controls filled)", "1"},
      {"unmet_compute", float32, {"run", "time", "country"},
       "share of the country's demand for new AI accelerators that no one meets", "1"},
      {"seed", int64, {"run"}, "random seed of the run", "1"},
      {"status", int8, {"run"}, "state of the run", "1"},
      {"month", int64, {"time"}, "months since the start (0: the state before the first step)", "months"},
      {"agents", int64, {"country", "kind"}, "agents simulated of the kind in the country", "1"},
      {"weight", float64, {"country", "kind"}, "real entities each agent of the kind in the country stands for", "1"},
      {"country_name", text, {"country"}, "country name"},
      {"country_region", text, {"country"}, "World Bank region"},
      {"country_alignment", text, {"country"}, "geopolitical alignment: us, cn or none"},
      {"country_tier", int64, {"country"}, "export-control tier of the January 2025 AI-diffusion rule (1, 2, 3)", "1"},
      {"firms_by_size", float64, {"country", "firm_size"},
       "real firms of the size class in the country (what size_share is a share of)", "1"},
      {"firm_agents_by_size", int64, {"country", "firm_size"},
       "firm agents of the size class in the country (allotted by staff, weighted by firms)", "1"},
      {"stack_bloc", text, {"stack"},
       "bloc whose chips, clouds and export controls the stack depends on: us, cn, other, none"},
      {"stack_open_weights", int8, {"stack"}, "whether the stack's weights are open", "1"},
      {"government_ban_month", int64, {"run", "country", "stack"},
       "month since the start the government barred the stack from its own use, -1 never", "months"},
      {"real_developers", float32, {"run", "time", "country"},
       "real developers in the country in the month: its developers grown at its rate (talent)", "1"},
      {"power_load", float32, {"run", "time", "country"},
       "power the country's self-hosted (open-weight) use needs over the data-centre power AI may draw (above 1: power "
       "binds)",
       "1"},
      {"robot_share", float32, {"run", "time", "country", "bloc"},
       "share of the country's installed industrial robots made by the bloc's makers", "1"},
  };
  for (const Variable& v : variables) {
    h5::Layout layout;
    if (v.dims.size() > 1 && v.dims.front() == "run") layout.chunk = run_chunk_shape(v.name, shape_of(v.dims));
    layout.shuffle = v.shuffle;
    create(v, layout);
  }
  // What describes a run, a month, a country or a stack rather than measures it: the
  // auxiliary coordinates netCDF tools attach to every variable over its dimension.
  auxiliary_ = {"month",      "country_name",       "country_region", "country_alignment", "country_tier",
                "stack_bloc", "stack_open_weights", "seed",           "status"};
  dataset("month").write(iota_of<std::int64_t>(T), {0}, {T});
  dataset("country_name").write(names);
  dataset("country_region").write(regions);
  dataset("country_alignment").write(alignments);
  dataset("country_tier").write(tiers, {0}, {C});
  std::vector<double> firms_by_size;
  for (const CountrySpec& c : s.countries)
    for (int size = 0; size < firm_size_count; ++size) firms_by_size.push_back(c.firms * c.firm_size_share[size]);
  dataset("firms_by_size").write(firms_by_size, {0, 0}, {C, h5::Extent(firm_size_count)});
  dataset("stack_bloc").write(blocs);
  dataset("stack_open_weights").write(open_weights, {0}, {K});
  const std::vector<std::int8_t> closed_open{0, 1}, statuses = run_status_values();
  cf::write_flags(dataset("stack_open_weights"), std::span(closed_open), "closed_weights open_weights");
  cf::write_flags(dataset("status"), std::span(statuses), run_status_meanings());
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
  create_scale("scenario", h5::Traits<std::string>::type, S, "compared scenario (the base first)").write(names);
  create({"scenario_toml", h5::Traits<std::string>::type, {"scenario"}, "the scenario, resolved (TOML)"}).write(resolved);
  constexpr h5::DataType int64 = h5::Traits<std::int64_t>::type;
  create({"scenario_of_run", int64, {"run"}, "index into the scenario dimension", "1"}).write(scenario_of_run, {0}, {R});
  create({"replicate", int64, {"run"}, "replicate of the run in its scenario (common random numbers)", "1"})
      .write(replicate, {0}, {R});
  auxiliary_.insert(auxiliary_.end(), {"scenario_of_run", "replicate"});
  if (names.size() == 2) title_ = "stackrace compare of " + names[1] + " against " + names[0];
}

void ResultWriter::write_effects(const EffectColumns& local, const EffectColumns& global, double confidence,
                                 Interval interval) {
  const bool paired = interval == Interval::paired;
  char level[64];
  std::snprintf(level, sizeof level, "%g%% %s confidence interval", 100 * confidence, interval_name(interval));
  const std::vector<std::string> time_country_kind_stack{"time", "country", "kind", "stack"},
      time_kind_stack{"time", "kind", "stack"};
  for (const auto& [prefix, columns, dims] :
       {std::tuple{std::string("effect"), &local, &time_country_kind_stack},
        std::tuple{std::string("global_effect"), &global, &time_kind_stack}}) {
    const h5::Dims shape = shape_of(*dims);
    h5::Layout layout;
    layout.chunk = shape;  // one month per chunk: a selection of a month reads one
    layout.chunk.front() = 1;
    const h5::Dims origin(shape.size(), 0);
    const std::size_t cells = std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
    const std::string change = prefix == "effect" ? "change in share (alternative - base): "
                                                  : "change in global share (alternative - base): ";
    // Each column: created with its dims and description, written whole.
    auto write_column = [&](const std::string& name, const auto& values, const std::string& long_name) {
      using Value = typename std::decay_t<decltype(values)>::value_type;
      if (values.size() != cells) throw std::invalid_argument("write_effects: " + name + " has the wrong size");
      create({name, h5::Traits<Value>::type, *dims, change + long_name, "1"}, layout).write(values, origin, shape);
    };
    write_column(prefix, columns->mean, paired ? "mean over replicate pairs" : "difference of the arms' means");
    write_column(prefix + "_low", columns->low, "lower end of its " + std::string(level));
    write_column(prefix + "_high", columns->high, "upper end of its " + std::string(level));
    write_column(prefix + "_n", columns->n,
                 paired ? "replicate pairs with a share in both arms" : "runs with a share in the smaller arm");
  }
  file_.write_attribute("effect_confidence", confidence);
  file_.write_attribute("effect_interval", interval_name(interval));
}

void ResultWriter::write_posterior_spread(const SpreadColumns& global, int draws) {
  const std::vector<std::string> dims{"time", "kind", "stack"};
  const h5::Dims shape{h5::Extent(times_), h5::Extent(agent_kind_count), h5::Extent(stacks_)};
  h5::Layout layout;
  layout.chunk = {1, shape[1], shape[2]};
  for (const auto& [name, values, long_name] :
       {std::tuple{"global_effect_draw_low", &global.draw_low, "5% quantile of the posterior draws' mean effects"},
        std::tuple{"global_effect_draw_high", &global.draw_high, "95% quantile of the posterior draws' mean effects"},
        std::tuple{"global_effect_parameter_sd", &global.parameter_sd,
                   "sd of the effect from the parameters' uncertainty (across draws, less their means' noise)"},
        std::tuple{"global_effect_noise_sd", &global.noise_sd,
                   "sd of one replicate pair's effect within a draw: the model's own noise"}}) {
    if (values->size() != shape[0] * shape[1] * shape[2])
      throw std::invalid_argument(std::string("write_posterior_spread: ") + name + " has the wrong size");
    create({name, h5::Traits<double>::type, dims,
            std::string("change in global share (alternative - base): ") + long_name, "1"},
           layout)
        .write(*values, {0, 0, 0}, shape);
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
  w->described_ = true;  // its attributes were written when it was made
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
  create({name, type, {"run"}, long_name, "1"}, h5::Layout{{h5::Extent(runs_)}});
  auxiliary_.push_back(name);  // it describes the run: a parameter's value, its design point
}

void ResultWriter::add_error_column(const std::string& long_name) {
  // A message's bytes: a netCDF dimension that is no variable, named as netCDF names one.
  char name[80];
  std::snprintf(name, sizeof name, "This is a netCDF dimension but not a netCDF variable.%10d", int(error_message_bytes));
  h5::Dataset& length = datasets_["error_length"] = file_.create_dataset<float>("error_length", {error_message_bytes});
  length.make_scale(name);
  const h5::Layout layout{{h5::Extent(runs_), error_message_bytes}};
  create({"error", h5::Traits<char>::type, {"run", "error_length"}, long_name}, layout)
      .write_char_attribute("_Encoding", "utf-8");
}

void ResultWriter::add_text(const std::string& name, const std::string& text, const std::string& long_name) {
  datasets_[name] = write_text(file_, name, text, long_name);
}

std::string ResultWriter::text(const std::string& name) const { return read_text(file_, name); }

void ResultWriter::describe_file() {
  if (described_) return;
  if (!datasets_.count("scenario_toml")) add_text("scenario_toml", scenario_text_, "the scenario, resolved (TOML)");
  cf::write_global_attributes(file_, title_, created_, command_);
  cf::write_coordinates(file_, dims_, auxiliary_);
  described_ = true;
}

void ResultWriter::start_checkpointing() {
  // A new checkpoint file is made aside, enters SWMR-write mode there, and only then is
  // renamed into place, whole and open: a kill while it is being made leaves only
  // PATH.partial (which the next sweep overwrites), and a kill at any moment after leaves
  // a PATH marked as written in SWMR mode, which readers open and --resume takes. (Closed,
  // renamed and reopened instead, a kill between the reopening and the SWMR mode left a
  // PATH marked as open for plain writing, which no reader opens.)
  describe_file();
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
  if (datasets_.count("error")) dataset("error").write(error_text(message), {h5::Extent(r), 0}, {1, error_message_bytes});
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
  if (mode_ == WriteMode::atomic) describe_file();
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
