#pragma once
// A finished run as bytes, to send from a worker rank to the writer rank: the run's
// index, then either its encoded run (compressed by the worker) or the message it failed with. Pure packing, no MPI,
// so it is tested on its own.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep/detail/sweep_parts.hpp"

namespace stackrace {

std::vector<char> pack_run(const sweep_detail::RunOutput& out);
sweep_detail::RunOutput unpack_run(const std::vector<char>& bytes);

}  // namespace stackrace
