#pragma once
#include <string>

namespace stackrace::cli {

// Where the shipped worlds are: $STACKRACE_WORLDS if set, else the install tree
// beside the executable (<prefix>/share/stackrace/worlds), else the source tree the
// executable was built from. So `stackrace run` works from any working directory.
std::string worlds_folder();
std::string default_world();
// `path` as given where it names a file (or is empty or absolute); else, where the
// shipped worlds hold it (`policies/no_controls.toml`), that file; else as given, for the
// loader to report.
std::string shipped_or_given(const std::string& path);

}  // namespace stackrace::cli
