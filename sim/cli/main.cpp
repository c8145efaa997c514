// stackrace: the command-line entry point. Parsing lives here; each subcommand is in
// its own file.
#include <iostream>
#include <new>

#include "sim/cli/commands.hpp"
#include "sim/cli/world_paths.hpp"
#include "sim/io/result_file.hpp"

int main(int argc, char** argv) {
  using namespace stackrace::cli;
  CLI::App app{"stackrace: an agent-based simulator of how AI stacks spread across the world"};
  app.set_version_flag("--version", stackrace::stackrace_version());
  app.require_subcommand(1);
  RunOptions run;
  ValidateOptions validate;
  InfoOptions info;
  CompareOptions compare;
  SweepOptions sweep;
  CalibrateOptions calibrate;
  add_run_command(app, run);
  add_validate_command(app, validate);
  add_info_command(app, info);
  add_compare_command(app, compare);
  add_sweep_command(app, sweep);
  add_calibrate_command(app, calibrate);
  add_list_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_bad_input;
  }
  // A scenario or sweep named as shipped (`policies/no_controls.toml`) is found in the
  // shipped worlds when no such file is where the command runs.
  for (std::string* path : {&run.scenario, &validate.scenario, &compare.base, &compare.alternative, &sweep.sweep,
                             &calibrate.calibration})
    *path = shipped_or_given(*path);
  // Each command reports what it foresees; anything else (memory running out while a
  // scenario is read) is still a message and exit status 1, never an abort.
  try {
    if (app.got_subcommand("list")) return list_command();
    if (app.got_subcommand("run")) return run_command(run);
    if (app.got_subcommand("validate")) return validate_command(validate);
    if (app.got_subcommand("compare")) return compare_command(compare);
    if (app.got_subcommand("sweep")) return sweep_command(sweep);
    if (app.got_subcommand("calibrate")) return calibrate_command(calibrate);
    return info_command(info);
  } catch (const std::bad_alloc&) {
    std::cerr << "stackrace: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "stackrace: " << e.what() << '\n';
  }
  return exit_failed;
}
