#pragma once
#include <string>

namespace stackrace::cli {

// Where the shipped worlds are: $STACKRACE_WORLDS if set, else the install tree
// beside the executable (<prefix>/share/stackrace/worlds), else the source tree the
// executable was built from. So `stackrace run` works from any working directory.
std::string worlds_folder();
std::string default_world();

}  // namespace stackrace::cli
