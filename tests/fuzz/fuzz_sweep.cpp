// libFuzzer harness: a sweep file, read and checked as `stackrace sweep` does before any
// run (its base scenario, parameters and design).
#include "tests/fuzz/fuzz_input.hpp"
#include "worlds/sweep_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stackrace;
  using namespace stackrace::fuzz;
  return accept_load_or_refusal([&] { load_sweep(write_input("sweeps/fuzz_sweep.toml", data, size)); });
}
