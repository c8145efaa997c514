#include <catch2/catch.hpp>

#include <memory>
#include <numeric>

#include "sim/sweep/detail/sweep_parts.hpp"
#include "tests/test_support.hpp"
#include "worlds/sweep_spec.hpp"

using namespace stackrace;
using namespace stackrace::sweep_detail;

TEST_CASE("a sweep builds each design point's World once, shares it among replicates and frees it after its last run",
          "[sweep]") {
  const SweepSpec spec = load_sweep(test::world("sweeps/example.toml"));
  const Design design = make_design(spec);
  REQUIRE(spec.replicates == 3);
  std::vector<int> runs(std::size_t(design.points()) * spec.replicates);
  std::iota(runs.begin(), runs.end(), 0);
  PointWorlds worlds(spec, design, runs);

  std::shared_ptr<const World> first = worlds.at(4);
  CHECK(worlds.at(4) == first);  // the same World for every replicate
  CHECK(worlds.at(5) != first);
  // The point's parameters are in its World: its switching cost and cn_open price.
  const SweepParameter& cost = spec.parameters[0];
  CHECK(first->scenario.kind_weights(AgentKind::developer).base.switching_cost == cost.value_at(design.at(4, 0)));
  const std::weak_ptr<const World> watch = first;
  worlds.release(4), worlds.release(4);
  CHECK_FALSE(watch.expired());  // one run of the point is still to come
  worlds.release(4);
  CHECK_FALSE(watch.expired());  // still held here, as a run in flight holds it
  first.reset();
  CHECK(watch.expired());  // freed after the point's last run
}
