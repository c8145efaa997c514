#include <catch2/catch.hpp>

#include <set>

#include "sim/sweep/design.hpp"

using namespace stackrace;

TEST_CASE("a grid has the product of the levels, first parameter slowest, at level centres", "[design]") {
  Design d = grid_design({2, 3, 4});
  REQUIRE(d.points() == 24);
  CHECK(d.at(0, 0) == 0.25);
  CHECK(d.at(0, 1) == Approx(1.0 / 6));
  CHECK(d.at(0, 2) == 0.125);
  CHECK(d.at(1, 2) == 0.375);    // last parameter fastest
  CHECK(d.at(12, 0) == 0.75);    // first parameter slowest: second level from point 12
  std::set<std::vector<double>> distinct;
  for (int i = 0; i < d.points(); ++i) distinct.insert({d.at(i, 0), d.at(i, 1), d.at(i, 2)});
  CHECK(distinct.size() == 24);
}

TEST_CASE("a Latin hypercube uses every stratum of every dimension exactly once", "[design]") {
  const int n = 50, P = 4;
  Design d = latin_hypercube_design(P, n, 7);
  REQUIRE(d.points() == n);
  for (int p = 0; p < P; ++p) {
    std::set<int> strata;
    for (int i = 0; i < n; ++i) {
      const double u = d.at(i, p);
      REQUIRE(u >= 0.0);
      REQUIRE(u < 1.0);
      strata.insert(static_cast<int>(u * n));
    }
    CHECK(strata.size() == std::size_t(n));
  }
  // Deterministic in the seed, different across seeds.
  CHECK(latin_hypercube_design(P, n, 7).unit == d.unit);
  CHECK(latin_hypercube_design(P, n, 8).unit != d.unit);
}

TEST_CASE("Sobol points match the published first points of the sequence", "[design]") {
  // Joe & Kuo (2008) direction numbers, dimensions 1-3, after the all-zero point.
  const double published[6][3] = {{0.5, 0.5, 0.5},       {0.75, 0.25, 0.25},   {0.25, 0.75, 0.75},
                                  {0.375, 0.375, 0.625}, {0.875, 0.875, 0.125}, {0.625, 0.125, 0.875}};
  Design d = sobol_design(3, 6);
  for (int i = 0; i < 6; ++i)
    for (int p = 0; p < 3; ++p) CHECK(d.at(i, p) == published[i][p]);
}

TEST_CASE("a Saltelli design has N(P+2) points: A, AB_1..AB_P, B for each row", "[design]") {
  const int N = 8, P = 3;
  Design d = saltelli_design(P, N);
  REQUIRE(d.points() == N * (P + 2));
  REQUIRE(d.matrix.size() == std::size_t(N * (P + 2)));
  for (int j = 0; j < N; ++j) {
    const int a = j * (P + 2), b = a + P + 1;
    CHECK(d.matrix[a] == 0);
    CHECK(d.matrix[b] == P + 1);
    CHECK(d.row[a] == j);
    for (int i = 1; i <= P; ++i) {
      const int ab = a + i;
      CHECK(d.matrix[ab] == i);
      for (int p = 0; p < P; ++p) CHECK(d.at(ab, p) == (p == i - 1 ? d.at(b, p) : d.at(a, p)));
    }
  }
  // A and B are the two halves of a 2P-dimensional Sobol sequence, after its first
  // saltelli_skip(N) = 8 points; no row of A equals B's.
  CHECK(saltelli_skip(N) == 8);
  CHECK(saltelli_skip(9) == 16);
  Design sobol = sobol_design(2 * P, N + 8);
  for (int j = 0; j < N; ++j) {
    bool same = true;
    for (int p = 0; p < P; ++p) {
      CHECK(d.at(j * (P + 2), p) == sobol.at(j + 8, p));
      CHECK(d.at(j * (P + 2) + P + 1, p) == sobol.at(j + 8, P + p));
      same = same && d.at(j * (P + 2), p) == d.at(j * (P + 2) + P + 1, p);
    }
    CHECK_FALSE(same);
  }
}

TEST_CASE("a random design is uniform on the unit cube and reproducible", "[design]") {
  Design d = random_design(2, 20000, 3);
  double sum = 0;
  for (double u : d.unit) {
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  CHECK(sum / double(d.unit.size()) == Approx(0.5).margin(5 * 0.2887 / std::sqrt(40000.0)));
  CHECK(random_design(2, 20000, 3).unit == d.unit);
}

#include "sim/sweep/run_message.hpp"

TEST_CASE("a run travels between ranks as bytes and arrives whole", "[sweep][mpi]") {
  sweep_detail::RunOutput done;
  done.run = 17;
  RunResult r(3, 2, 2);
  r.seed = 99;
  for (std::size_t i = 0; i < r.share.size(); ++i) r.share[i] = float(i) / 7;
  r.capability = {1, 2, 3, 4, 5, 6};
  r.government_ban_month = {-1, 4, -1, -1};
  r.agents = {5, 0, 7, 8, 0, 10};  // [country][kind]: no firms anywhere, so their chunk is empty
  done.result = encode_run(r);
  REQUIRE(done.result->chunks[index_of(AgentKind::firm)].empty());
  sweep_detail::RunOutput back = unpack_run(pack_run(done));
  REQUIRE(back.result);
  CHECK(back.run == 17);
  CHECK(back.result->seed == 99);
  CHECK(back.result->agents == r.agents);
  CHECK(back.result->chunks == done.result->chunks);
  CHECK(back.result->chunks.size() == 24);  // three kinds of share and of tokens, sixteen whole-run datasets
  sweep_detail::RunOutput failed;
  failed.run = 3;
  failed.error = "x: out of range";
  sweep_detail::RunOutput failed_back = unpack_run(pack_run(failed));
  CHECK_FALSE(failed_back.result);
  CHECK(failed_back.error == "x: out of range");
  std::vector<char> cut = pack_run(done);
  cut.resize(cut.size() / 2);
  CHECK_THROWS(unpack_run(cut));
}
