// `mgrad jupyter`: installs the Jupyter kernelspec of the mgrad language (src/kernel) and starts
// the kernel when Jupyter asks for it.
#pragma once

#include <ostream>

namespace mgrad::cli {

/// Its options and subcommands, for the shell's completion (cli_spec.hpp).
void describe_jupyter(std::ostream& out);

/// argv[0] is "jupyter". Returns the process exit code.
int run_jupyter(int argc, char** argv);

}  // namespace mgrad::cli
