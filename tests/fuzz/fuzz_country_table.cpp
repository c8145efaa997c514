// libFuzzer harness: a country table (CSV), read as the default world's
// `world.countries_table`.
#include "tests/fuzz/fuzz_input.hpp"
#include "worlds/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stackrace;
  using namespace stackrace::fuzz;
  write_input("data/fuzz_countries.csv", data, size);
  return accept_load_or_refusal([] {
    ScenarioOverrides overrides;
    overrides.set = {"world.countries_table=\"data/fuzz_countries.csv\""};
    read_scenario((worlds_copy() / "default.toml").string(), overrides);
  });
}
