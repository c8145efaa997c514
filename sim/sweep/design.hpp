#pragma once
// Experimental designs for sweeps: where in parameter space each run goes. A design is
// a list of points in the unit hypercube [0, 1)^P, one coordinate per parameter; a
// parameter maps its coordinate to a value (parameter_space.hpp). All designs are
// deterministic functions of their size and seed.
#include <cstdint>
#include <string>
#include <vector>

#include "worlds/sweep_spec.hpp"

namespace stackrace {

struct Design {
  DesignKind kind = DesignKind::grid;
  int parameters = 0;
  std::vector<double> unit;  // [point][parameter], each in [0, 1)
  // Saltelli designs: which matrix each point belongs to — 0 for A, i for AB_i (A with
  // column i taken from B, i = 1..P), P + 1 for B — and its row in A and B.
  std::vector<int> matrix;
  std::vector<int> row;

  int points() const { return parameters > 0 ? static_cast<int>(unit.size() / parameters) : 0; }
  double at(int point, int parameter) const { return unit[std::size_t(point) * parameters + parameter]; }
};

// Full factorial over `levels[i]` values of each parameter, the first parameter varying
// slowest; coordinates are level centres, (l + 0.5) / levels.
Design grid_design(const std::vector<int>& levels);
// `n` points drawn independently and uniformly.
Design random_design(int parameters, int n, std::uint64_t seed);
// Latin hypercube: in every dimension each of the n strata [k/n, (k+1)/n) holds exactly
// one point, at a uniform position within it.
Design latin_hypercube_design(int parameters, int n, std::uint64_t seed);
// The first n points of the Sobol low-discrepancy sequence (Joe & Kuo direction numbers,
// Boost.Random's `sobol`), without the all-zero point.
Design sobol_design(int parameters, int n);
// Saltelli's design for first- and total-order Sobol indices (Saltelli 2002; Saltelli et
// al. 2010): A and B are the two halves of n points of a 2P-dimensional Sobol sequence
// (after its first saltelli_skip(n) points, as SALib does, so that A and B never share a
// row: the sequence's first point is 0.5 in every dimension); for each row j the points
// A_j, AB_1j, ..., AB_Pj, B_j follow each other (SALib's order), n (P + 2) points in all.
Design saltelli_design(int parameters, int n);
std::uint64_t saltelli_skip(int n);  // the smallest power of two >= n

std::string design_name(DesignKind kind);

}  // namespace stackrace
