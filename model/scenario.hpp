#pragma once
// The scenario: the whole experiment, as read and checked from a TOML file (and the
// country table it may name). worlds/README.md lists every key; MODEL.md explains
// what each does. A Scenario is an immutable description; the engine in sim/ owns
// the mutable run state.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agents/agent_kind.hpp"
#include "agents/attributes.hpp"
#include "agents/stack_choice.hpp"
#include "agents/usage.hpp"
#include "model/availability.hpp"
#include "model/stack_events.hpp"
#include "policies/policy.hpp"

namespace stackrace {

struct FeedbackLoops {
  bool network = true;          // developer shares enter utilities
  bool deployment_data = true;  // usage share speeds a stack's capability growth
  bool capacity_limits = true;  // self-hosting beyond local data-centre power costs more
  bool compute_lag = true;      // a follower's lag closes or widens with its bloc's compute
  bool energy_limits = true;    // a bloc's usable compute is capped by its data-centre power build-out
  bool lag_pricing = false;     // a follower's price moves with its lag, at the price path of a fixed capability
  bool talent_growth = true;    // each country's developers grow at its own rate (model/talent.hpp)
  bool capital = true;          // a bloc's chips are what its investment buys (model/capital.hpp), where given
  bool physical_ai = true;      // physical firms lean to the open stacks of their robots' makers (model/robots.hpp)
};

// How countries' developer populations grow (model/talent.hpp): each at its own rate when
// counted, the rate halving every `growth_halving_years` (0: it never slows).
struct TalentGrowth {
  double growth_halving_years = 0;
  int counted_month = 0;  // the month the countries' developers were counted in, from the start (negative: before)
};

// The two price paths (MODEL.md, 7.2): each stack's own `price_decline` is the path of
// the frontier it sells; a fixed capability gets cheaper faster. With
// `feedback.lag_pricing`, a stack that falls a month further behind sells a capability a
// month older, at (1 − fixed_capability_decline) / (1 − price_decline) of the price.
struct PricePaths {
  double fixed_capability_decline = 0;  // per month: the price of a given capability
};

struct BlocCompute {
  double share = 0;            // share of world AI compute at the start
  double growth = 0;           // growth of the bloc's chips, per month
  double power_gw = 0;         // data-centre power at the start (0: no energy limit)
  double power_growth_gw = 0;  // power added per month (the build-out: time-to-power)
  // The bloc's own accelerators (the cn bloc's fill demand that US export controls leave
  // unmet: model/compute_market.hpp).
  std::vector<int> home;                   // countries whose demand they meet first (empty: the bloc's aligned countries)
  double accelerators_h100e_per_year = 0;  // output at the start, H100-equivalents a year
  double accelerator_growth = 0;           // growth of that output, per month
  double export_share = 0;                 // share of output sold abroad even while home demand goes unmet
  // Capital (model/capital.hpp): AI capital spending at the start (0: the chips grow at
  // `growth`), and its growth a year at the start.
  double investment_usd_per_year = 0;
  double investment_growth = 0;
  double h100e_per_million_usd = 0;  // the chips a million USD of that spending buys at the start
};

struct ComputeDynamics {
  BlocCompute us, cn, other;
  double catch_up = 0.1;       // lag months closed per month per month of lag at equal compute
  double compute_elasticity = 0.3;  // progress rate ~ (compute / leader's compute)^elasticity
  double deployment_alpha = 0;      // extra months of progress per month at full global usage
  double capacity_penalty = 1;      // utility lost per unit of self-hosting demand over capacity
  double joules_per_token = 0;      // energy a self-hosted token needs at the start (0: no load)
  double ai_power_share = 1;        // share of a country's data-centre power AI may draw
  double grid_share_limit = 0;      // data-centre power, as a share of generating capacity, beyond which grids stop connecting more (0: none)
  double efficiency_growth = 0;     // compute per watt gained per month
  double power_headroom = 1;        // compute the start's power could run, over the compute installed
  // Capital (model/capital.hpp).
  double depreciation = 0;                    // share of chips retired a month
  double price_performance_growth = 0;        // compute a dollar buys, growth a month
  double investment_growth_halving_years = 0; // years in which every bloc's spending growth halves (0: never)
  double world_h100e = 1e7;                   // the world's AI compute at the start, H100-equivalents
  // The accelerator market (model/compute_market.hpp).
  double h100e_per_mw = 700;          // H100-equivalents a megawatt of data centre holds
  double yearly_additions = 0.3;      // a country's yearly accelerator demand, as a share of its installed base
  double self_hosting_premium = 0.5;  // price rise of self-hosted stacks where no one meets the demand for compute
  double foreign_chip_premium = 0.3;    // price rise of a non-Chinese open stack served wholly on Chinese accelerators
  double chinese_cloud_discount = 0.3;  // price cut of a Chinese open stack where Chinese accelerators and clouds serve all new compute
  const BlocCompute& of(Bloc b) const { return b == Bloc::us ? us : b == Bloc::cn ? cn : other; }
};

// One bloc's robot makers (model/robots.hpp): their share of the robots installed in a
// month, at home and abroad, when counted, and how fast the odds of their robots grow.
struct RobotMakers {
  std::vector<int> home;      // the countries their home market is (empty: none)
  double home_share = 0;      // share of new robots installed at home, when counted
  double abroad_share = 0;    // share of new robots installed elsewhere, when counted
  double odds_growth = 0;     // growth a year of the log-odds of their robots against the others'
  Bloc ships = Bloc::none;    // the bloc whose open stacks their robots run (none: their own)
  Bloc stack_bloc(Bloc makers) const { return ships == Bloc::none ? makers : ships; }
  // Their share of country c's new robots when counted.
  double counted_share(int c) const {
    return std::find(home.begin(), home.end(), c) != home.end() ? home_share : abroad_share;
  }
};

// Physical AI (model/robots.hpp): the robots that physical firms run, by who made them.
struct RobotMarket {
  RobotMakers us, cn, other;
  double reference_density = 162;  // robots per 10,000 manufacturing employees at which half of physical work is embodied
  double unlisted_density = 0;     // the density of a country the table gives none for
  double stock_growth = 0;         // growth of a country's robot stock a year
  double installation_rate = 0;    // robots installed a year over the stock (≥ stock_growth: the rest replaces)
  double tariff_elasticity = 0;    // how much a tariff on a bloc's robots lowers the odds of buying them
  int counted_month = 0;           // the month the makers' shares were counted in, from the start
  const RobotMakers& of(Bloc b) const { return b == Bloc::us ? us : b == Bloc::cn ? cn : other; }
};

// The table of parameter draws a world runs over with `--draws` (`[posterior]`; a CSV
// whose header names scenario keys), and the columns of it the world takes. The table is
// read only when a run draws from it, so that a world loads without it (the calibration
// that makes it loads the world); the locations let that read blame the key.
struct PosteriorTable {
  std::string file;               // resolved against the file that names it
  std::vector<std::string> keys;  // the parameters it takes, in the order written
  std::string file_location;                // FILE:LINE:COL of `file`
  std::vector<std::string> key_locations;   // of each key
};

// The largest seed that any command or file takes (scenario.seed, --seed, a sweep's or a
// calibration's seed): 2^62 - 1, so that seed + i, the seed of every run a command makes
// from it (replicates, posterior draws, both arms of a comparison), is still one that
// the result file's int64 `seed` holds, never wrapped to a negative number.
inline constexpr std::int64_t largest_seed = (std::int64_t{1} << 62) - 1;

struct Scenario {
  std::string name;
  std::string description;
  std::string start;  // "YYYY-MM"
  int steps = 120;    // months
  std::uint64_t seed = 1;
  std::int64_t developer_agents = 0;
  std::int64_t firm_agents = 0;
  std::vector<StackSpec> stacks;
  std::array<KindWeights, agent_kind_count> choice;     // by AgentKind
  std::array<AdoptionRule, agent_kind_count> adoption;  // by AgentKind
  FeedbackLoops feedback;
  ComputeDynamics compute;
  PricePaths prices;
  TalentGrowth talent;
  RobotMarket robots;  // physical AI (model/robots.hpp)
  UsageRule usage;  // tokens an adopter uses (agents/usage.hpp): an output, and the power load (capacity.hpp)
  std::vector<CountrySpec> countries;
  std::vector<StackAvailability> availability;  // where stacks are not served (model/availability.hpp)
  std::vector<StackEvent> events;                // dated changes to the stacks, in file order (model/stack_events.hpp)
  std::vector<Policy> policies;  // in the order they apply within a month (policies/policy.hpp)
  std::optional<PosteriorTable> posterior;  // none: `--draws` needs `--posterior`

  const ChoiceWeights& weights(AgentKind kind) const { return choice[index_of(kind)].base; }
  const KindWeights& kind_weights(AgentKind kind) const { return choice[index_of(kind)]; }
  const AdoptionRule& adoption_rule(AgentKind kind) const { return adoption[index_of(kind)]; }
  int stack_count() const { return static_cast<int>(stacks.size()); }
  int country_count() const { return static_cast<int>(countries.size()); }
  std::optional<int> outside_stack() const {
    for (int k = 0; k < stack_count(); ++k)
      if (stacks[k].outside) return k;
    return std::nullopt;
  }
};

}  // namespace stackrace
