// libFuzzer harness: a calibration file (its scenario, record and parameters), read as
// `stackrace calibrate` does before any simulation.
#include "tests/fuzz/fuzz_input.hpp"
#include "worlds/calibration_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stackrace;
  using namespace stackrace::fuzz;
  return accept_load_or_refusal([&] { load_calibration(write_input("calibrations/fuzz_calibration.toml", data, size)); });
}
