#pragma once
// Months as scenarios and result files write them: YYYY-MM (`scenario.start`, a policy's
// window, the `start` attribute of a result file's `time`).
#include <string>

namespace stackrace {

// A month written YYYY-MM, the month 01 to 12.
bool is_month(const std::string& text);

}  // namespace stackrace
