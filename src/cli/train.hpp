// `mgrad train`: train a small MLP on a generated 2-D data set (micrograd's demo by default).
#pragma once

#include <ostream>

namespace mgrad::cli {

/// Its options, for the shell's completion (cli_spec.hpp).
void describe_train(std::ostream& out);

/// argv[0] is "train". Returns the process exit code.
int run_train(int argc, char** argv);

}  // namespace mgrad::cli
