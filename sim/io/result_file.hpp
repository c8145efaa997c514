#pragma once
// The result file: one HDF5 file per run or sweep in the format README.md documents
// (the contract with notebooks). It is written under `PATH.partial` and renamed to
// PATH by commit(), so a reader never sees a half-written file under the real name.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/io/hdf5.hpp"
#include "sim/io/output_error.hpp"
#include "sim/run_result.hpp"
#include "model/scenario.hpp"

namespace stackrace {

// 2: usage, sectors, lag, bloc compute; 3: power load, robots; 4: CF conventions (time in
// days since the start, `month`, units, flags, coordinates), the long texts as datasets,
// firm size classes (size_share, firms_by_size, firm_agents_by_size)
inline constexpr std::int64_t result_format_version = 4;

// Below this many developer agents one agent's move is a large share of its country, so
// rankings of countries (`stackrace run`'s extremes, `stackrace compare`'s countries that
// moved most, the Python package's) leave such countries out. Every file records it as
// the root attribute `min_ranked_developer_agents`, which the Python package reads.
inline constexpr std::int64_t min_ranked_developer_agents = 100;

// How a comparison's confidence intervals are computed: paired t-intervals over
// replicate pairs (common random numbers), or Welch's for independent arms.
enum class Interval { paired, welch };
// As a compare file's root attribute `effect_interval` records it.
inline const char* interval_name(Interval interval) { return interval == Interval::paired ? "paired t" : "Welch"; }

// A comparison's effect on a share for each cell of the share's dims but `run`, laid out
// as they are (sim/cli/comparison.hpp computes it): the change (alternative − base), its
// confidence interval, and the replicates it rests on.
struct EffectColumns {
  std::vector<double> mean, low, high;
  std::vector<std::int64_t> n;
};

// A comparison over posterior draws (`compare --posterior`): the effect on the global
// shares split into what the parameters' uncertainty and the model's own noise make of
// it, over (time, kind, stack).
struct SpreadColumns {
  std::vector<double> draw_low, draw_high;  // 5% and 95% of the draws' mean effects
  std::vector<double> parameter_sd;         // sd of the effect across draws, less the noise in their means
  std::vector<double> noise_sd;             // sd of one replicate pair's effect within a draw (pooled)
};

enum class RunStatus : std::int8_t { pending = 0, done = 1, failed = 2 };
// The `status` dataset's flag_values (0, 1, 2) and flag_meanings ("pending done failed"),
// from the enum (the Python package's RUN_STATUS is tested against them).
std::vector<std::int8_t> run_status_values();
std::string run_status_meanings();

// How a result file is written. `atomic`: under PATH.partial, renamed to PATH when
// complete (single runs, comparisons). `checkpoint`: made under PATH.partial with every
// dataset and the design, renamed to PATH by start_checkpointing(), then written there in
// HDF5's single-writer/multiple-reader mode, each finished run flushed, so that a writer
// killed at any moment leaves either no PATH or a readable, resumable file holding every
// finished run (sweeps).
enum class WriteMode { atomic, checkpoint };

// A failed run's message in a sweep's `error` column: at most 255 bytes of it (cut where
// a UTF-8 character starts), padded with nulls.
inline constexpr std::size_t error_message_bytes = 256;

// A run as the file stores it: its per-run datasets already compressed (chunk encoding),
// so that whoever ran it compresses it and the one writer only stores bytes.
struct EncodedRun {
  std::uint64_t seed = 0;
  std::vector<std::int64_t> agents;  // [country][kind]
  std::vector<double> weight;        // [country][kind]
  std::vector<std::int64_t> firm_agents_by_size;  // [country][size]
  // share (one chunk per kind, empty where the kind has no agents and nothing is
  // written), global_share, capability, price, chinese_compute, unmet_compute,
  // government_ban_month: one chunk each
  std::vector<std::vector<unsigned char>> chunks;
};
EncodedRun encode_run(const RunResult& result);
// The chunk of a dataset of shape `dims` stored per run: one run, and of `share` one kind.
h5::Dims run_chunk_shape(const std::string& dataset, h5::Dims dims);

// Every failure throws OutputError: `failed` where the file could not be made or written,
// `refused` where a file reopened is not one it can finish.
class ResultWriter {
 public:
  // Creates PATH.partial (and PATH's folder) with every dataset sized for `runs` runs,
  // all pending. `attributes` (the command, e.g. the CLI flags) are recorded as root
  // attributes, `scenario_text` (the resolved scenario) as the dataset scenario_toml.
  ResultWriter(const std::string& path, const Scenario& scenario, const std::string& scenario_text, int runs,
               const std::map<std::string, std::string>& attributes, WriteMode mode = WriteMode::atomic);
  // Reopens a checkpoint file to finish it (`stackrace sweep --resume`); refuses a file
  // that is not HDF5 or not a complete stackrace result file.
  static std::unique_ptr<ResultWriter> reopen(const std::string& path);
  ~ResultWriter();  // without commit(), removes the partial file (a checkpoint file in place stays)
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  // Writes run r's datasets, then marks it done and flushes, so that a file cut off
  // later still holds it whole.
  void write_run(int r, const RunResult& result);
  void write_run(int r, const EncodedRun& run);  // the same, compressed beforehand
  // For a comparison file: the `scenario` dimension (names and resolved texts), and for
  // each run its scenario and replicate.
  void write_comparison(const std::vector<std::string>& names, const std::vector<std::string>& resolved,
                        const std::vector<std::int64_t>& scenario_of_run, const std::vector<std::int64_t>& replicate);
  // For a comparison file: the effects on `share` (datasets effect, effect_low,
  // effect_high, effect_n over time, country, kind, stack) and on `global_share`
  // (global_effect, ... over time, kind, stack), and the root attributes
  // effect_confidence (the level, e.g. 0.95) and effect_interval (interval_name).
  void write_effects(const EffectColumns& local, const EffectColumns& global, double confidence, Interval interval);
  void write_posterior_spread(const SpreadColumns& global, int draws);
  // Per-run numbers beyond the standard datasets (a sweep's parameters and design), of
  // elements T (h5::Traits), which describe each run (CF's auxiliary coordinates on
  // `run`): create them before start_checkpointing().
  template <h5::Plain T>
  void add_run_column(const std::string& name, const std::string& long_name) {
    add_run_column(name, h5::Traits<T>::type, long_name);
  }
  template <h5::Plain T>
  void write_run_column(const std::string& name, int r, const T& value) {
    dataset(name).write_element(value, {h5::Extent(r)});
  }
  // Every run's value at once.
  template <h5::Plain T>
  void write_run_column_all(const std::string& name, const std::vector<T>& values) {
    dataset(name).write(values, {0}, {h5::Extent(runs_)});
  }
  // The column `error` (run, error_length): a failed run's message (mark_failed), as
  // netCDF's fixed-length text, a char array, which a file in SWMR mode can still take
  // (variable-length strings live in the file's heap, which SWMR writing cannot grow) and
  // netCDF reads (its library misreads HDF5's fixed-length strings). Create it before
  // start_checkpointing().
  void add_error_column(const std::string& long_name);
  // A long text (a sweep's resolved file) as a scalar string dataset: create it before
  // start_checkpointing(). text(): one back ("" where the file has none).
  void add_text(const std::string& name, const std::string& text, const std::string& long_name);
  std::string text(const std::string& name) const;
  // A new checkpoint file: moves it from PATH.partial to PATH. Then flushes, and enters
  // SWMR-write mode: no new datasets or attributes after this.
  void start_checkpointing();
  // Records run r as failed (status 2) with its error message.
  void mark_failed(int r, const std::string& message);
  std::vector<std::int8_t> status() const;
  std::string attribute(const std::string& name) const;  // a root attribute ("" if absent)
  // Whether the file's per-run datasets are chunked as encode_run encodes: files from
  // before `share` was chunked per kind are not.
  bool chunks_match_encoding();
  // atomic: writes the attributes that name every dataset (describe_file), closes and
  // renames PATH.partial to PATH; checkpoint: closes
  void commit();

  const std::string& path() const { return path_; }

 private:
  // A dataset as the file describes it: its dims (as scale names), and for CF its
  // long_name and units (none for text).
  struct Variable {
    std::string name;
    h5::DataType type;
    std::vector<std::string> dims;
    std::string long_name;
    std::string units = "";  // none: text
    Shuffle shuffle = Shuffle::yes;
  };
  void write_coordinates(const Scenario& scenario, int runs);
  h5::Dims shape_of(const std::vector<std::string>& dims) const;
  // Creates a dataset with its scales attached and its CF attributes; a floating-point
  // one reads as NaN where nothing was written (the layout's fill), its _FillValue.
  h5::Dataset& create(const Variable& variable, h5::Layout layout = {});
  h5::Dataset& create_scale(const std::string& name, h5::DataType type, h5::Extent n, const std::string& long_name,
                            const std::string& units = "");
  void add_run_column(const std::string& name, h5::DataType type, const std::string& long_name);
  // What can be written only once every dataset is: the scenario (unless a comparison
  // wrote one per scenario), the CF global attributes and each variable's coordinates.
  void describe_file();
  // A dataset of the file; one it lacks is refused (a file reopened that is not whole).
  h5::Dataset& dataset(const std::string& name);
  const h5::Dataset& dataset(const std::string& name) const;

  ResultWriter() = default;

  WriteMode mode_ = WriteMode::atomic;
  std::string path_;
  std::string partial_;
  int runs_ = 0;
  h5::File file_;
  std::map<std::string, h5::Dataset> datasets_;
  std::map<std::string, std::vector<std::string>> dims_;  // of each dataset made here
  std::vector<std::string> auxiliary_;                    // CF's auxiliary coordinates
  std::string scenario_text_, created_, command_, title_;
  bool described_ = false;
  int times_ = 0;
  int countries_ = 0;
  int stacks_ = 0;
  bool committed_ = false;
  std::vector<std::int64_t> agents_written_;  // what write_run last wrote to `agents`
  std::vector<double> weight_written_;        // and to `weight`
  std::vector<std::int64_t> firm_agents_written_;  // and to `firm_agents_by_size`
};

std::string stackrace_version();

}  // namespace stackrace
