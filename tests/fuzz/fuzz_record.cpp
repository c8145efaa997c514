// libFuzzer harness: a record of published figures (CSV), the targets a calibration fits.
#include "tests/fuzz/fuzz_input.hpp"
#include "worlds/record_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace stackrace;
  using namespace stackrace::fuzz;
  return accept_load_or_refusal([&] { load_record(write_input("record/fuzz_record.csv", data, size)); });
}
