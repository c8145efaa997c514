#include <catch2/catch.hpp>

#include <numeric>

#include "worlds/agent_allocation.hpp"

using namespace stackrace;

TEST_CASE("agents are shared in proportion to real counts and sum exactly", "[allocation]") {
  auto agents = allocate_agents(1000, {1.0, 2.0, 7.0});
  CHECK(agents == std::vector<std::int64_t>{100, 200, 700});
}

TEST_CASE("every populated country gets at least one agent, empty ones none", "[allocation]") {
  auto agents = allocate_agents(10, {1e-6, 1e9, 0.0, 1e-6});
  CHECK(agents[0] == 1);
  CHECK(agents[2] == 0);
  CHECK(agents[3] == 1);
  CHECK(std::accumulate(agents.begin(), agents.end(), std::int64_t{0}) == 10);
}

TEST_CASE("remainders are settled by largest remainder, whatever the total", "[allocation]") {
  std::vector<double> real{3.3, 1.1, 9.7, 0.2, 5.5, 4.4, 8.8};
  for (std::int64_t total : {7, 8, 13, 100, 12345, 1000003}) {
    auto agents = allocate_agents(total, real);
    CHECK(std::accumulate(agents.begin(), agents.end(), std::int64_t{0}) == total);
    for (std::size_t c = 0; c < real.size(); ++c) CHECK(agents[c] >= 1);
  }
}
