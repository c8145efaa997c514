#pragma once
// The record (worlds/record/record.csv): published figures the model is judged against
// and calibrated to, one observed target per row with its interval and source
// (worlds/record/README.md). Reading it checks every row as stackrace.record.load does;
// errors read `FILE:LINE:COL: column NAME: what`.
#include <string>
#include <vector>

namespace stackrace {

struct RecordTarget {
  std::string id;
  std::string description;
  std::string quantity;  // adoption, stack_share_of_users, capability_gap_months, price, token_share
  std::string kind;      // country, firm, developer, population, or "" (gaps, prices)
  std::string stack;     // a stack id, a group (open, us, cn), or "" (adoption)
  std::string country;   // ISO code, WLD or a group of countries (EU27)
  std::string firm_size; // small, medium, large, or "" (firms of every size)
  std::string date;      // YYYY-MM
  double value = 0, low = 0, high = 0;
  int line = 0;          // where it is written, for messages
};

inline constexpr const char* record_quantities[] = {"adoption", "stack_share_of_users", "capability_gap_months",
                                                    "price", "token_share"};

// Reads and checks a record file: unique ids, known quantities and kinds, months written
// YYYY-MM, finite numbers with low <= value <= high, and a source for every row. Throws
// ScenarioError.
std::vector<RecordTarget> load_record(const std::string& path);

}  // namespace stackrace
