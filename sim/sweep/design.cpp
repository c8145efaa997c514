#include "sim/sweep/design.hpp"

#include <numeric>
#include <stdexcept>

#include <boost/random/sobol.hpp>

#include "sim/rng.hpp"

namespace stackrace {
namespace {

// Design randomness has its own streams, apart from the runs': (seed, purpose design).
CounterStream design_stream(std::uint64_t seed, std::uint64_t dimension) {
  return CounterStream(StreamKey{seed, 0, 0, AgentKind::country, StreamPurpose::design, dimension});
}

double unit(CounterStream& stream) { return static_cast<double>(stream() >> 11) * 0x1.0p-53; }

std::vector<double> sobol_points(int dimensions, int n, std::uint64_t skip = 0) {
  boost::random::sobol sequence(static_cast<std::size_t>(dimensions));
  sequence.discard(skip * static_cast<std::uint64_t>(dimensions));
  std::vector<double> points(std::size_t(n) * dimensions);
  for (double& x : points) x = static_cast<double>(sequence()) * 0x1.0p-64;
  return points;
}

}  // namespace

Design grid_design(const std::vector<int>& levels) {
  Design d;
  d.kind = DesignKind::grid;
  d.parameters = static_cast<int>(levels.size());
  std::int64_t total = 1;
  for (int l : levels) {
    if (l < 1) throw std::invalid_argument("a grid needs at least one level per parameter");
    total *= l;
  }
  for (std::int64_t point = 0; point < total; ++point) {
    std::int64_t rest = point;
    std::vector<double> coordinates(levels.size());
    for (int p = d.parameters - 1; p >= 0; --p) {
      coordinates[p] = (double(rest % levels[p]) + 0.5) / double(levels[p]);
      rest /= levels[p];
    }
    d.unit.insert(d.unit.end(), coordinates.begin(), coordinates.end());
  }
  return d;
}

Design random_design(int parameters, int n, std::uint64_t seed) {
  Design d;
  d.kind = DesignKind::random;
  d.parameters = parameters;
  d.unit.resize(std::size_t(n) * parameters);
  for (int p = 0; p < parameters; ++p) {
    CounterStream stream = design_stream(seed, p);
    for (int i = 0; i < n; ++i) d.unit[std::size_t(i) * parameters + p] = unit(stream);
  }
  return d;
}

Design latin_hypercube_design(int parameters, int n, std::uint64_t seed) {
  Design d;
  d.kind = DesignKind::latin_hypercube;
  d.parameters = parameters;
  d.unit.resize(std::size_t(n) * parameters);
  for (int p = 0; p < parameters; ++p) {
    CounterStream stream = design_stream(seed, p);
    std::vector<int> stratum(n);
    std::iota(stratum.begin(), stratum.end(), 0);
    for (int i = n - 1; i > 0; --i) std::swap(stratum[i], stratum[stream() % std::uint64_t(i + 1)]);  // Fisher-Yates
    for (int i = 0; i < n; ++i) d.unit[std::size_t(i) * parameters + p] = (stratum[i] + unit(stream)) / double(n);
  }
  return d;
}

Design sobol_design(int parameters, int n) {
  Design d;
  d.kind = DesignKind::sobol;
  d.parameters = parameters;
  d.unit = sobol_points(parameters, n);
  return d;
}

Design saltelli_design(int parameters, int n) {
  const int P = parameters;
  const std::vector<double> base = sobol_points(2 * P, n, saltelli_skip(n));
  Design d;
  d.kind = DesignKind::saltelli;
  d.parameters = P;
  auto a = [&](int j, int p) { return base[std::size_t(j) * 2 * P + p]; };
  auto b = [&](int j, int p) { return base[std::size_t(j) * 2 * P + P + p]; };
  for (int j = 0; j < n; ++j) {
    for (int m = 0; m <= P + 1; ++m) {
      for (int p = 0; p < P; ++p) {
        // m = 0: A; m = 1..P: A with column m - 1 from B; m = P + 1: B.
        const bool from_b = m == P + 1 || p == m - 1;
        d.unit.push_back(from_b ? b(j, p) : a(j, p));
      }
      d.matrix.push_back(m);
      d.row.push_back(j);
    }
  }
  return d;
}

std::uint64_t saltelli_skip(int n) {
  std::uint64_t skip = 1;
  while (skip < std::uint64_t(n)) skip *= 2;
  return skip;
}

std::string design_name(DesignKind kind) {
  switch (kind) {
    case DesignKind::grid: return "grid";
    case DesignKind::random: return "random";
    case DesignKind::latin_hypercube: return "latin_hypercube";
    case DesignKind::sobol: return "sobol";
    case DesignKind::saltelli: return "saltelli";
  }
  return "?";
}

}  // namespace stackrace
