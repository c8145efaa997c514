#include "sim/io/cf_time.hpp"

#include <chrono>
#include <stdexcept>

#include "model/month.hpp"

namespace stackrace::cf {
namespace {

constexpr std::string_view units_head = "days since ";
constexpr std::string_view units_tail = "-01 00:00:00";

std::chrono::year_month year_month_of(const std::string& start) {
  if (!is_month(start)) throw std::invalid_argument("not a month written YYYY-MM: '" + start + "'");
  return std::chrono::year(std::stoi(start.substr(0, 4))) / std::chrono::month(unsigned(std::stoi(start.substr(5, 2))));
}

}  // namespace

std::string time_units(const std::string& start) {
  year_month_of(start);  // refuses what is no month
  return std::string(units_head) + start + std::string(units_tail);
}

std::vector<std::int64_t> days_since_start(const std::string& start, int months) {
  using namespace std::chrono;
  const year_month first = year_month_of(start);
  const sys_days origin = first / 1;
  std::vector<std::int64_t> days;
  days.reserve(std::size_t(months));
  for (int m = 0; m < months; ++m) days.push_back((sys_days((first + std::chrono::months(m)) / 1) - origin).count());
  return days;
}

std::optional<std::string> start_of(const std::string& units) {
  const std::size_t head = units_head.size(), month = 7;
  if (units.size() != head + month + units_tail.size() || !units.starts_with(units_head) ||
      !units.ends_with(units_tail))
    return std::nullopt;
  std::string start = units.substr(head, month);
  if (!is_month(start)) return std::nullopt;
  return start;
}

}  // namespace stackrace::cf
