#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "sim/io/cf_time.hpp"

using namespace stackrace;

TEST_CASE("time is the first day of each month in days since the start, leap years included", "[cf]") {
  CHECK(cf::time_units("2026-01") == "days since 2026-01-01 00:00:00");
  // 2028 is a leap year: its February has 29 days.
  CHECK(cf::days_since_start("2027-12", 5) == std::vector<std::int64_t>{0, 31, 62, 91, 122});
  // 2100 is not (a century not divisible by 400), 2000 was.
  CHECK(cf::days_since_start("2100-02", 2) == std::vector<std::int64_t>{0, 28});
  CHECK(cf::days_since_start("2000-02", 2) == std::vector<std::int64_t>{0, 29});
  // 3000 months on, January 2276: the days Python's datetime counts between them.
  CHECK(cf::days_since_start("2026-01", 3001).back() == 91310);
}

TEST_CASE("the start month is read back from the units time_units writes, and only from them", "[cf]") {
  for (const char* start : {"2026-01", "2300-12", "0001-06"}) CHECK(cf::start_of(cf::time_units(start)) == start);
  for (const char* units : {"days since 2026-01-02 00:00:00", "days since 2026-13-01 00:00:00", "months since 2026-01",
                            "days since 2026-01-01", "hours since 2026-01-01 00:00:00", ""})
    CHECK_FALSE(cf::start_of(units));
  CHECK_THROWS(cf::time_units("2026-1"));
}
