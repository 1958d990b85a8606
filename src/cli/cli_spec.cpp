#include "cli_spec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <utility>

namespace mgrad::cli {

namespace {

struct Hint {
    std::string kind;
    std::vector<std::string> words;
};

// What an option takes, beside CLI11's own description of it. Keyed by the option: the apps
// described live while they are.
std::map<const CLI::Option*, Hint>& hints() {
    static std::map<const CLI::Option*, Hint> map;
    return map;
}

}  // namespace

CLI::Option* with_choices(CLI::Option* option, std::vector<std::string> words) {
    option->check(CLI::IsMember(words));
    hints()[option] = Hint{"choice", std::move(words)};
    return option;
}

CLI::Option* with_files(CLI::Option* option, std::vector<std::string> extensions) {
    hints()[option] = Hint{"file", std::move(extensions)};
    return option;
}

CLI::Option* with_directory(CLI::Option* option) {
    hints()[option] = Hint{"directory", {}};
    return option;
}

CLI::Option* with_words(CLI::Option* option, std::vector<std::string> words) {
    hints()[option] = Hint{"words", std::move(words)};
    return option;
}

void describe_app(std::ostream& out, std::string_view path, const CLI::App& app) {
    for (const CLI::Option* option : app.get_options()) {
        if (!option->nonpositional()) continue;  // FILE: the shell completes scripts itself
        std::vector<std::string> names;
        for (const auto& s : option->get_snames())
            names.push_back("-" + s);
        for (const auto& l : option->get_lnames())
            names.push_back("--" + l);
        Hint hint{option->get_expected_max() == 0 ? "flag" : "value", {}};
        if (const auto it = hints().find(option); it != hints().end()) hint = it->second;
        out << fmt::format("{}\t{}\t{}\t{}\n", path, fmt::join(names, ","), hint.kind,
                           fmt::join(hint.words, " "));
    }
    const std::vector<const CLI::App*> subcommands = app.get_subcommands({});
    if (subcommands.empty()) return;
    std::vector<std::string> names;
    for (const CLI::App* sub : subcommands)
        names.push_back(sub->get_name());
    out << fmt::format("{}\t\tsubcommands\t{}\n", path, fmt::join(names, " "));
    for (const CLI::App* sub : subcommands)
        describe_app(out, fmt::format("{} {}", path, sub->get_name()), *sub);
}

}  // namespace mgrad::cli
