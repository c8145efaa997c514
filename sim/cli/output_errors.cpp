#include <iostream>

#include "sim/cli/commands.hpp"

namespace stackrace::cli {

int report(const OutputError& error) {
  std::cerr << "stackrace: " << error.what() << '\n';
  return error.fault() == OutputFault::refused ? exit_bad_input : exit_failed;
}

}  // namespace stackrace::cli
