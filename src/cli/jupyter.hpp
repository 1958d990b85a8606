// `mgrad jupyter`: installs the Jupyter kernelspec of the mgrad language (src/kernel) and starts
// the kernel when Jupyter asks for it.
#pragma once

namespace mgrad::cli {

/// argv[0] is "jupyter". Returns the process exit code.
int run_jupyter(int argc, char** argv);

}  // namespace mgrad::cli
