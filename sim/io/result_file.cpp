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

#include "sim/io/chunk_encoding.hpp"
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
    : mode_(mode), path_(path), partial_(mode == WriteMode::atomic ? path + ".partial" : path), runs_(runs) {
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder);
  file_ = mode == WriteMode::atomic ? h5::create_file(partial_) : h5::create_checkpoint_file(partial_);
  times_ = scenario.steps + 1;
  countries_ = scenario.country_count();
  stacks_ = scenario.stack_count();

  h5::write_attribute(file_, "format", std::string("stackrace"));
  h5::write_attribute(file_, "format_version", result_format_version);
  h5::write_attribute(file_, "stackrace_version", stackrace_version());
  h5::write_attribute(file_, "random_numbers", std::string(random_numbers_id));
  h5::write_attribute(file_, "min_ranked_developer_agents", min_ranked_developer_agents);
  h5::write_attribute(file_, "scenario", scenario_text);
  h5::write_attribute(file_, "scenario_name", scenario.name);
  h5::write_attribute(file_, "created", utc_now());
  for (const auto& [name, value] : attributes) h5::write_attribute(file_, name, value);
  write_coordinates(scenario, runs);
}

void ResultWriter::write_coordinates(const Scenario& s, int runs) {
  const hsize_t R = runs, T = times_, C = countries_, N = agent_kind_count, K = stacks_;
  auto scale = [&](const std::string& name, hid_t type, hsize_t n) {
    datasets_[name] = h5::create_dataset(file_, name, type, {n});
    h5::make_dimension_scale(dataset(name), name);
  };
  h5::Handle text = h5::string_type();
  scale("run", H5T_STD_I64LE, R);
  scale("time", H5T_STD_I64LE, T);
  scale("country", text, C);
  scale("kind", text, N);
  scale("stack", text, K);
  h5::write_box(dataset("run"), H5T_NATIVE_INT64, {0}, {R}, iota_of<std::int64_t>(R).data());
  h5::write_box(dataset("time"), H5T_NATIVE_INT64, {0}, {T}, iota_of<std::int64_t>(T).data());
  h5::write_attribute(dataset("time"), "start", s.start);
  h5::write_attribute(dataset("time"), "long_name", std::string("months since start"));
  std::vector<std::string> countries, names, regions, alignments, kinds, stacks;
  std::vector<std::int64_t> tiers;
  for (const CountrySpec& c : s.countries) {
    countries.push_back(c.id), names.push_back(c.name), regions.push_back(c.region);
    alignments.push_back(alignment_name(c.alignment)), tiers.push_back(c.export_control_tier);
  }
  for (AgentKind kind : all_agent_kinds) kinds.emplace_back(agent_kind_name(kind));
  for (const StackSpec& k : s.stacks) stacks.push_back(k.id);
  h5::write_strings(dataset("country"), countries);
  h5::write_strings(dataset("kind"), kinds);
  h5::write_strings(dataset("stack"), stacks);

  // name, type, dims (as scale names), chunk: one run per chunk, as sweeps read run by
  // run, and for `share` one kind of one run (run_chunk_shape).
  struct Variable {
    std::string name;
    hid_t type;
    std::vector<std::string> dims;
    Shuffle shuffle = Shuffle::yes;
  };
  const std::vector<Variable> variables{
      {"share", H5T_IEEE_F32LE, {"run", "time", "country", "kind", "stack"}, shares_shuffle},
      {"global_share", H5T_IEEE_F32LE, {"run", "time", "kind", "stack"}, shares_shuffle},
      {"capability", H5T_IEEE_F64LE, {"run", "time", "stack"}},
      {"price", H5T_IEEE_F64LE, {"run", "time", "stack"}},
      {"seed", H5T_STD_I64LE, {"run"}},
      {"status", H5T_STD_I8LE, {"run"}},
      {"agents", H5T_STD_I64LE, {"country", "kind"}},
      {"weight", H5T_IEEE_F64LE, {"country", "kind"}},
      {"country_name", text, {"country"}},
      {"country_region", text, {"country"}},
      {"country_alignment", text, {"country"}},
      {"country_tier", H5T_STD_I64LE, {"country"}},
      {"government_ban_month", H5T_STD_I64LE, {"run", "country", "stack"}},
  };
  const std::map<std::string, hsize_t> size{{"run", R}, {"time", T}, {"country", C}, {"kind", N}, {"stack", K}};
  for (const Variable& v : variables) {
    std::vector<hsize_t> dims, chunk;
    for (const std::string& d : v.dims) dims.push_back(size.at(d));
    if (v.dims.size() > 1 && v.dims.front() == "run") chunk = run_chunk_shape(v.name, dims);
    // Floating-point results read as NaN where no run wrote them (pending runs, and the
    // shares of a kind with no agents, whose chunks are not written).
    const bool real = v.type == H5T_IEEE_F32LE || v.type == H5T_IEEE_F64LE;
    datasets_[v.name] =
        h5::create_dataset(file_, v.name, v.type, dims, chunk, v.shuffle, real ? h5::Fill::nan : h5::Fill::zero);
    for (unsigned axis = 0; axis < v.dims.size(); ++axis)
      h5::attach_dimension(dataset(v.name), dataset(v.dims[axis]), axis);
  }
  h5::write_attribute(dataset("share"), "long_name", std::string("fraction of agents of the kind in the country on the stack"));
  h5::write_attribute(dataset("global_share"), "long_name", std::string("share weighted by the real entities each agent stands for"));
  h5::write_attribute(dataset("price"), "units", std::string("USD per million tokens"));
  h5::write_attribute(dataset("status"), "flag_meanings", run_status_meanings());
  h5::write_attribute(dataset("government_ban_month"), "long_name",
                      std::string("month the government barred the stack from its own use, -1 never"));
  h5::write_strings(dataset("country_name"), names);
  h5::write_strings(dataset("country_region"), regions);
  h5::write_strings(dataset("country_alignment"), alignments);
  h5::write_box(dataset("country_tier"), H5T_NATIVE_INT64, {0}, {C}, tiers.data());
  h5::write_attribute(dataset("country_region"), "long_name", std::string("World Bank region"));
  h5::write_attribute(dataset("country_alignment"), "long_name", std::string("geopolitical alignment: us, cn or none"));
  h5::write_attribute(dataset("country_tier"), "long_name",
                      std::string("export-control tier of the January 2025 AI-diffusion rule (1, 2, 3)"));
  std::vector<std::int8_t> pending(R, static_cast<std::int8_t>(RunStatus::pending));
  h5::write_box(dataset("status"), H5T_NATIVE_INT8, {0}, {R}, pending.data());
}

namespace {

// Where each of EncodedRun::chunks goes: its dataset and, for `share`, its kind.
struct ChunkPlace {
  const char* dataset;
  int kind;  // -1: the whole run
};
static_assert(agent_kind_count == 3, "one `share` chunk per kind");
constexpr std::array<ChunkPlace, agent_kind_count + 4> run_chunks{{{"share", 0},
                                                                   {"share", 1},
                                                                   {"share", 2},
                                                                   {"global_share", -1},
                                                                   {"capability", -1},
                                                                   {"price", -1},
                                                                   {"government_ban_month", -1}}};
constexpr std::size_t kind_axis = 3;  // of `share`: run, time, country, kind, stack

template <class T>
std::vector<unsigned char> encoded(const std::vector<T>& values, Shuffle shuffle = Shuffle::yes) {
  return encode_chunk(values.data(), values.size() * sizeof(T), sizeof(T), shuffle);
}

}  // namespace

EncodedRun encode_run(const RunResult& result) {
  EncodedRun run{result.seed, result.agents, result.weight, {}};
  for (AgentKind kind : all_agent_kinds) {
    // A kind with no agents anywhere has only NaN shares, which the file reads where
    // nothing was written: its chunk is left out (empty).
    bool any = false;
    for (int c = 0; c < result.countries; ++c)
      any = any || result.agents[std::size_t(c) * agent_kind_count + index_of(kind)] > 0;
    const std::span<const float> share = result.kind_share(kind);
    run.chunks.push_back(any ? encode_chunk(share.data(), share.size_bytes(), sizeof(float), shares_shuffle)
                             : std::vector<unsigned char>{});
  }
  run.chunks.push_back(encoded(result.global_share, shares_shuffle));
  run.chunks.push_back(encoded(result.capability));
  run.chunks.push_back(encoded(result.price));
  run.chunks.push_back(encoded(result.government_ban_month));
  return run;
}

std::vector<hsize_t> run_chunk_shape(const std::string& dataset, std::vector<hsize_t> dims) {
  dims.front() = 1;
  if (dataset == "share") dims[kind_axis] = 1;
  return dims;
}

void ResultWriter::write_run(int r, const RunResult& result) { write_run(r, encode_run(result)); }

void ResultWriter::write_run(int r, const EncodedRun& run) {
  const hsize_t C = countries_, N = agent_kind_count;
  for (std::size_t v = 0; v < run_chunks.size(); ++v) {
    const auto [name, kind] = run_chunks[v];
    if (run.chunks[v].empty()) continue;  // all NaN: read as the fill value
    // A run's chunk starts at (r, 0, ...), and a kind's `share` at its kind. HDF5 reads
    // as many entries as the dataset has dims (share's five at most).
    std::array<hsize_t, 5> at{};
    at.front() = static_cast<hsize_t>(r);
    if (kind >= 0) at[kind_axis] = static_cast<hsize_t>(kind);
    h5::check(H5Dwrite_chunk(dataset(name), H5P_DEFAULT, 0, at.data(), run.chunks[v].size(), run.chunks[v].data()),
              std::string("write run ") + std::to_string(r) + " of " + name);
  }
  const hsize_t run_index = r;
  auto seed = static_cast<std::int64_t>(run.seed);
  h5::write_box(dataset("seed"), H5T_NATIVE_INT64, {run_index}, {1}, &seed);
  // Agent counts and weights depend only on the scenario: the file keeps the last run's,
  // written only when they differ from what this writer wrote last (in a sweep, nearly
  // never; two writes fewer per run).
  if (run.agents != agents_written_) {
    h5::write_box(dataset("agents"), H5T_NATIVE_INT64, {0, 0}, {C, N}, run.agents.data());
    agents_written_ = run.agents;
  }
  if (run.weight != weight_written_) {
    h5::write_box(dataset("weight"), H5T_NATIVE_DOUBLE, {0, 0}, {C, N}, run.weight.data());
    weight_written_ = run.weight;
  }
  auto done = static_cast<std::int8_t>(RunStatus::done);
  h5::write_box(dataset("status"), H5T_NATIVE_INT8, {run_index}, {1}, &done);
  h5::check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_);
}

void ResultWriter::write_comparison(const std::vector<std::string>& names, const std::vector<std::string>& resolved,
                                    const std::vector<std::int64_t>& scenario_of_run,
                                    const std::vector<std::int64_t>& replicate) {
  h5::Handle text = h5::string_type();
  const hsize_t S = names.size(), R = scenario_of_run.size();
  datasets_["scenario"] = h5::create_dataset(file_, "scenario", text, {S});
  h5::make_dimension_scale(dataset("scenario"), "scenario");
  h5::write_strings(dataset("scenario"), names);
  datasets_["scenario_toml"] = h5::create_dataset(file_, "scenario_toml", text, {S});
  h5::attach_dimension(dataset("scenario_toml"), dataset("scenario"), 0);
  h5::write_strings(dataset("scenario_toml"), resolved);
  for (auto [name, values] : {std::pair{"scenario_of_run", &scenario_of_run}, std::pair{"replicate", &replicate}}) {
    datasets_[name] = h5::create_dataset(file_, name, H5T_STD_I64LE, {R});
    h5::attach_dimension(dataset(name), dataset("run"), 0);
    h5::write_box(dataset(name), H5T_NATIVE_INT64, {0}, {R}, values->data());
  }
  h5::write_attribute(dataset("scenario_of_run"), "long_name", std::string("index into the scenario dimension"));
}

namespace {

void write_double_attribute(hid_t object, const std::string& name, double value) {
  h5::Handle space(H5Screate(H5S_SCALAR), H5Sclose, "make attribute " + name);
  h5::Handle attribute(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                       "create attribute " + name);
  h5::check(H5Awrite(attribute, H5T_NATIVE_DOUBLE, &value), "write attribute " + name);
}

}  // namespace

void ResultWriter::write_effects(const EffectColumns& local, const EffectColumns& global, double confidence,
                                 Interval interval) {
  const hsize_t T = times_, C = countries_, N = agent_kind_count, K = stacks_;
  const bool paired = interval == Interval::paired;
  char level[64];
  std::snprintf(level, sizeof level, "%g%% %s confidence interval", 100 * confidence, interval_name(interval));
  const std::vector<std::string> time_country_kind_stack{"time", "country", "kind", "stack"},
      time_kind_stack{"time", "kind", "stack"};
  for (const auto& [prefix, columns, dims] :
       {std::tuple{std::string("effect"), &local, &time_country_kind_stack},
        std::tuple{std::string("global_effect"), &global, &time_kind_stack}}) {
    std::vector<hsize_t> shape;
    for (const std::string& d : *dims) shape.push_back(d == "time" ? T : d == "country" ? C : d == "kind" ? N : K);
    std::vector<hsize_t> chunk = shape;  // one month per chunk: a selection of a month reads one
    chunk.front() = 1;
    const std::vector<hsize_t> origin(shape.size(), 0);
    const std::size_t cells = std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
    const std::string change = prefix == "effect" ? "change in share (alternative - base): "
                                                  : "change in global share (alternative - base): ";
    struct Column {
      std::string name;
      const void* values;
      std::size_t size;
      std::string long_name, units;
    };
    const std::vector<Column> written{
        {prefix, columns->mean.data(), columns->mean.size(),
         change + (paired ? "mean over replicate pairs" : "difference of the arms' means"), "fraction"},
        {prefix + "_low", columns->low.data(), columns->low.size(), change + "lower end of its " + level, "fraction"},
        {prefix + "_high", columns->high.data(), columns->high.size(), change + "upper end of its " + level,
         "fraction"},
        {prefix + "_n", columns->n.data(), columns->n.size(),
         change + (paired ? "replicate pairs with a share in both arms" : "runs with a share in the smaller arm"),
         paired ? "pairs" : "runs"}};
    for (const Column& c : written) {
      if (c.size != cells) throw std::invalid_argument("write_effects: " + c.name + " has the wrong size");
      const bool count = c.name.ends_with("_n");
      datasets_[c.name] = h5::create_dataset(file_, c.name, count ? H5T_STD_I64LE : H5T_IEEE_F64LE, shape, chunk,
                                             Shuffle::yes, count ? h5::Fill::zero : h5::Fill::nan);
      for (unsigned axis = 0; axis < dims->size(); ++axis)
        h5::attach_dimension(dataset(c.name), dataset((*dims)[axis]), axis);
      h5::write_box(dataset(c.name), count ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, origin, shape, c.values);
      h5::write_attribute(dataset(c.name), "long_name", c.long_name);
      h5::write_attribute(dataset(c.name), "units", c.units);
    }
  }
  write_double_attribute(file_, "effect_confidence", confidence);
  h5::write_attribute(file_, "effect_interval", std::string(interval_name(interval)));
}

std::unique_ptr<ResultWriter> ResultWriter::reopen(const std::string& path) {
  std::unique_ptr<ResultWriter> w(new ResultWriter());
  w->mode_ = WriteMode::checkpoint;
  w->path_ = w->partial_ = path;
  w->file_ = h5::reopen_checkpoint_file(path);
  for (const std::string& name : h5::dataset_names(w->file_)) w->datasets_[name] = h5::open_dataset(w->file_, name);
  w->runs_ = static_cast<int>(h5::shape(w->dataset("run"))[0]);
  w->times_ = static_cast<int>(h5::shape(w->dataset("time"))[0]);
  w->countries_ = static_cast<int>(h5::shape(w->dataset("country"))[0]);
  w->stacks_ = static_cast<int>(h5::shape(w->dataset("stack"))[0]);
  return w;
}

bool ResultWriter::chunks_match_encoding() {
  for (const ChunkPlace& place : run_chunks)
    if (h5::chunk_shape(dataset(place.dataset)) != run_chunk_shape(place.dataset, h5::shape(dataset(place.dataset))))
      return false;
  return true;
}

void ResultWriter::add_run_column(const std::string& name, hid_t type, const std::string& long_name) {
  const hsize_t R = runs_;
  datasets_[name] = h5::create_dataset(file_, name, type, {R}, {R});
  h5::attach_dimension(dataset(name), dataset("run"), 0);
  if (!long_name.empty()) h5::write_attribute(dataset(name), "long_name", long_name);
}

void ResultWriter::write_run_column(const std::string& name, int r, hid_t memory_type, const void* value) {
  h5::write_box(dataset(name), memory_type, {hsize_t(r)}, {1}, value);
}

void ResultWriter::write_run_column_all(const std::string& name, hid_t memory_type, const void* values) {
  h5::write_box(dataset(name), memory_type, {0}, {hsize_t(runs_)}, values);
}

void ResultWriter::start_checkpointing() {
  h5::check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_);
  h5::start_checkpointing(file_);
}

void ResultWriter::mark_failed(int r, const std::string& message) {
  if (datasets_.count("error")) {
    std::string text = message.substr(0, error_message_bytes - 1);
    text.resize(error_message_bytes, '\0');
    h5::Handle type = h5::fixed_string_type(error_message_bytes);
    write_run_column("error", r, type, text.data());
  }
  auto failed = static_cast<std::int8_t>(RunStatus::failed);
  h5::write_box(dataset("status"), H5T_NATIVE_INT8, {hsize_t(r)}, {1}, &failed);
  h5::check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_);
}

std::vector<std::int8_t> ResultWriter::status() const {
  h5::silence_errors();
  std::vector<std::int8_t> s(runs_);
  h5::read_box(datasets_.at("status"), H5T_NATIVE_INT8, {0}, {hsize_t(runs_)}, s.data());
  return s;
}

std::string ResultWriter::attribute(const std::string& name) const {
  h5::silence_errors();
  return h5::has_attribute(file_, name) ? h5::read_string_attribute(file_, name) : std::string();
}

void ResultWriter::commit() {
  h5::silence_errors();
  datasets_.clear();
  file_.reset();
  if (mode_ == WriteMode::atomic) std::filesystem::rename(partial_, path_);
  committed_ = true;
}

ResultWriter::~ResultWriter() {
  h5::silence_errors();
  if (committed_ || mode_ == WriteMode::checkpoint) return;  // a checkpoint file keeps what it holds
  datasets_.clear();
  file_.reset();
  std::error_code ignored;
  std::filesystem::remove(partial_, ignored);
}

}  // namespace stackrace
