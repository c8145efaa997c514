// libFuzzer harness: a scenario file, read and checked as `stackrace validate` does.
#include "tests/fuzz/fuzz_input.hpp"
#include "worlds/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stackrace;
  using namespace stackrace::fuzz;
  return accept_load_or_refusal([&] { read_scenario(write_input("fuzz_scenario.toml", data, size)); });
}
