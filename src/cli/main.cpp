// The mgrad command: option parsing and dispatch to the front ends.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <mgrad/mgrad.hpp>

#include <string_view>

#include "train.hpp"

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "train") return mgrad::cli::run_train(argc - 1, argv + 1);
    CLI::App app{"mgrad — build, evaluate and backpropagate scalar formulas, and see the graph",
                 "mgrad"};
    app.set_version_flag("--version", fmt::format("mgrad {}", mgrad::version_string));
    CLI11_PARSE(app, argc, argv);
    return 0;
}
