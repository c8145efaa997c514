#pragma once
// Builds the World a checked scenario describes (model/world.hpp): shares each kind's
// agents among countries (agent_allocation.hpp) and firms among their segments, weighs
// each agent by the real entities it stands for, and calibrates the choice constants.
// Done once per scenario; every run of it, whatever its seed, reuses the World.
#include "model/world.hpp"

namespace stackrace {

World build_world(Scenario scenario);

}  // namespace stackrace
