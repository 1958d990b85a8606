// `mgrad jupyter install|uninstall|kernel`. As `deno jupyter --install` does, the kernelspec
// names this executable (`mgrad jupyter kernel -f {connection_file}`) rather than a Python and
// a package path: `kernel` finds the kernel's Python package beside the installed executable or
// in the build tree, and execs the Python it was built for, or the one that started it from a
// wheel (same process, so Jupyter's SIGINT for an interrupt reaches the kernel).
#include "jupyter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <mgrad/support/atomic_file.hpp>
#include <mgrad/support/error.hpp>
#include <mgrad/support/suggest.hpp>

#include "cli_spec.hpp"
#include "help_text.hpp"

namespace fs = std::filesystem;

namespace mgrad::cli {

namespace {

constexpr std::string_view kernel_name = "mgrad";
constexpr std::string_view kernel_package = "mgrad_kernel";
constexpr std::string_view logos[] = {"logo-32x32.png", "logo-64x64.png", "logo-svg.svg"};
constexpr const char* python_variable = "MGRAD_PYTHON_EXECUTABLE";

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
}

/// Where kernelspecs go: PREFIX/share/jupyter/kernels, or the user's Jupyter data directory
/// as jupyter_core finds it on Linux ($JUPYTER_DATA_DIR, $XDG_DATA_HOME/jupyter,
/// ~/.local/share/jupyter).
fs::path kernels_dir(const std::string& prefix) {
    if (!prefix.empty()) return fs::path(prefix) / "share" / "jupyter" / "kernels";
    if (const std::string dir = environment("JUPYTER_DATA_DIR"); !dir.empty())
        return fs::path(dir) / "kernels";
    if (const std::string xdg = environment("XDG_DATA_HOME"); !xdg.empty())
        return fs::path(xdg) / "jupyter" / "kernels";
    const std::string home = environment("HOME");
    if (home.empty())
        throw Error("cannot find the user's Jupyter directory: HOME is not set (use --prefix)");
    return fs::path(home) / ".local" / "share" / "jupyter" / "kernels";
}

fs::path this_executable() { return fs::canonical("/proc/self/exe"); }

/// The directory holding the packages `mgrad` and `mgrad_kernel`: where `cmake --install` (or a
/// wheel) puts them relative to the installed executable, else the build tree's.
fs::path package_dir() {
#if defined(MGRAD_JUPYTER_INSTALL_PYTHONPATH)
    std::vector<fs::path> dirs{
        (this_executable().parent_path() / MGRAD_JUPYTER_INSTALL_PYTHONPATH).lexically_normal()};
#if defined(MGRAD_JUPYTER_BUILD_PYTHONPATH)
    dirs.emplace_back(MGRAD_JUPYTER_BUILD_PYTHONPATH);
#endif
    std::string looked;
    for (const fs::path& dir : dirs) {
        std::error_code ec;
        if (fs::exists(dir / kernel_package / "__main__.py", ec)) return dir;
        looked += (looked.empty() ? "" : " or ") + dir.string();
    }
    throw Error(
        fmt::format("cannot find the kernel's Python package ({}) in {}", kernel_package, looked));
#else
    throw Error(
        "this mgrad was built without its Python package (MGRAD_PYTHON=OFF), which the Jupyter "
        "kernel runs on; build it with python3-dev and pybind11-dev installed");
#endif
}

/// The Python the kernel runs on: the one that started this executable when it was started
/// from Python (the wheel's `mgrad` command and `python -m mgrad` name it in
/// MGRAD_PYTHON_EXECUTABLE), else the one the package was built for. Empty when neither is known.
std::string kernel_python() {
    if (std::string python = environment(python_variable); !python.empty()) return python;
#ifdef MGRAD_JUPYTER_PYTHON
    return MGRAD_JUPYTER_PYTHON;
#else
    return {};
#endif
}

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(fmt::format("cannot read '{}'", file.string()));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int install(const std::string& prefix) {
    const fs::path package = package_dir();
    const fs::path dir = kernels_dir(prefix) / kernel_name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error(fmt::format("cannot make the directory '{}': {}", dir.string(), ec.message()));
    nlohmann::json spec = {
        {"argv", {this_executable().string(), "jupyter", "kernel", "-f", "{connection_file}"}},
        {"display_name", "mgrad"},
        {"language", "mgrad"},
        {"interrupt_mode", "signal"},
        {"metadata", {{"debugger", false}}},
    };
    // Started from a Python (a wheel in a virtual environment), the kernel runs on that Python,
    // which Jupyter does not start this executable from: the kernelspec says which.
    if (const std::string python = environment(python_variable); !python.empty())
        spec["env"] = {{python_variable, python}};
    write_file_atomically(dir / "kernel.json", spec.dump(2) + "\n");
    for (std::string_view logo : logos)
        write_file_atomically(dir / logo, read_file(package / kernel_package / "resources" / logo));
    std::cout << fmt::format(
        "installed the mgrad kernel in {}\n"
        "(`jupyter kernelspec list` shows it; `mgrad jupyter uninstall{}` removes it)\n",
        dir.string(), prefix.empty() ? "" : fmt::format(" --prefix {}", prefix));
    return 0;
}

int uninstall(const std::string& prefix) {
    const fs::path dir = kernels_dir(prefix) / kernel_name;
    std::error_code ec;
    if (!fs::exists(dir / "kernel.json", ec)) {
        std::cerr << fmt::format("mgrad jupyter: there is no mgrad kernel in {}\n", dir.string());
        return 1;
    }
    fs::remove_all(dir, ec);
    if (ec) throw Error(fmt::format("cannot remove '{}': {}", dir.string(), ec.message()));
    std::cout << fmt::format("removed the mgrad kernel from {}\n", dir.string());
    return 0;
}

/// Replaces this process with `python -m mgrad_kernel ARGS` (ARGS: what Jupyter passed, -f
/// CONNECTION_FILE), the package directory first on PYTHONPATH.
int kernel(const std::vector<std::string>& args) {
#ifdef MGRAD_JUPYTER_INSTALL_PYTHONPATH
    const fs::path package = package_dir();
    const std::string python = kernel_python();
    if (python.empty())
        throw Error(
            fmt::format("{} does not say which Python the kernel runs on: install the "
                        "kernel with the Python package's `mgrad jupyter install`",
                        python_variable));
    std::string path = package.string();
    if (const std::string old = environment("PYTHONPATH"); !old.empty()) path += ":" + old;
    ::setenv("PYTHONPATH", path.c_str(), 1);
    // ipykernel loads debugpy, which warns on every start about Python's frozen modules.
    ::setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1", 0);
    std::vector<std::string> words{python, "-m", std::string(kernel_package)};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execv(python.c_str(), argv.data());
    throw Error(fmt::format("cannot start {}: {}", python, std::strerror(errno)));
#else
    (void)args;
    (void)package_dir();  // throws: no Python package
    return 1;
#endif
}

/// The command line of `mgrad jupyter`, its values bound to the fields.
struct CommandLine {
    CLI::App app{"The mgrad language in Jupyter notebooks: install its kernel.", "mgrad jupyter"};
    std::string prefix;
    bool user = false;
    CLI::App* install_cmd = nullptr;
    CLI::App* uninstall_cmd = nullptr;
    CLI::App* kernel_cmd = nullptr;

    CommandLine() {
        app.require_subcommand(1);
        app.set_help_flag("-h,--help", "print this help and exit");
        auto where = [&](CLI::App* sub) {
            auto* user_flag = sub->add_flag("--user", user,
                                            "the user's Jupyter directory (the default): "
                                            "~/.local/share/jupyter/kernels/mgrad");
            with_directory(
                sub->add_option("--prefix", prefix, "PREFIX/share/jupyter/kernels/mgrad instead")
                    ->type_name("PREFIX")
                    ->excludes(user_flag));
        };
        install_cmd = app.add_subcommand("install", "write the kernelspec (name 'mgrad')");
        where(install_cmd);
        uninstall_cmd = app.add_subcommand("uninstall", "remove the kernelspec");
        where(uninstall_cmd);
        kernel_cmd =
            app.add_subcommand("kernel", "run the kernel (Jupyter starts it: kernel -f FILE)");
        kernel_cmd->allow_extras()->prefix_command();
    }
};

}  // namespace

void describe_jupyter(std::ostream& out) {
    const CommandLine line;
    describe_app(out, "mgrad jupyter", line.app);
}

int run_jupyter(int argc, char** argv) {
    CommandLine line;
    auto usage_error = [](std::string_view message) {
        // Whatever CLI11 numbers it, a usage error has exit status 2, as mgrad's own.
        std::cerr << fmt::format(
            "mgrad jupyter: error: {}\nTry 'mgrad jupyter --help' for more information.\n",
            message);
        return 2;
    };
    if (argc > 1 && argv[1][0] != '-') {
        std::vector<std::string> names;
        for (const CLI::App* sub : line.app.get_subcommands({}))
            names.push_back(sub->get_name());
        if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
            const auto near = nearest_name(argv[1], names);
            return usage_error(
                fmt::format("unknown subcommand '{}'{}; subcommands: {}", argv[1],
                            near ? fmt::format(" (did you mean '{}'?)", *near) : std::string(),
                            fmt::join(names, ", ")));
        }
    }
    try {
        line.app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << wrap_help(line.app.help(), terminal_width());
        return 0;
    } catch (const CLI::ParseError& e) {
        return usage_error(e.what());
    }
    try {
        if (*line.install_cmd) return install(line.prefix);
        if (*line.uninstall_cmd) return uninstall(line.prefix);
        return kernel(line.kernel_cmd->remaining());
    } catch (const std::exception& e) {
        std::cerr << fmt::format("mgrad jupyter: error: {}\n", e.what());
        return 1;
    }
}

}  // namespace mgrad::cli
