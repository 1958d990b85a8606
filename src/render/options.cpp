// Formats and the option words of `:draw NAME FILE [options]`.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "mgrad/render/render.hpp"
#include "mgrad/support/suggest.hpp"
#include "mgrad/support/error.hpp"

namespace mgrad {
namespace {

constexpr std::array<std::string_view, 5> format_names{"svg", "png", "pdf", "dot", "json"};

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

struct OptionSpec {
    std::string_view key;  ///< the word, or the part before `=`
    bool takes_value;
    std::string_view help;
};

constexpr std::array<OptionSpec, 12> option_specs{{
    {"lr", false, "left to right (the default)"},
    {"tb", false, "top to bottom"},
    {"decimals", true,
     "decimals=N      digits after the point for data and grad (0-17, default 4)"},
    {"hide-constants", false, "fold constants into the op label (`*2`) instead of drawing them"},
    {"depth", true, "depth=N         only values at most N ops away from the drawn value"},
    {"cluster", true, "cluster=PREFIX  box the values whose name starts with PREFIX (repeatable)"},
    {"cluster-modules", false, "box the values each nn module (neuron, layer) made"},
    {"collapse-modules", false, "draw each nn module (a neuron) as one box: name, size, output"},
    {"max-nodes", true, "max-nodes=N     refuse to lay out more than N values (default 1500)"},
    {"shade", false, "colour values by gradient: red negative, blue positive, stronger = larger"},
    {"no-legend", false, "leave the legend out"},
    {"format", true, "format=F        svg, png, pdf, dot or json, whatever the file is called"},
}};

std::string suggestion(std::string_view key) {
    std::vector<std::string> keys;
    for (const OptionSpec& spec : option_specs)
        keys.emplace_back(spec.key);
    const auto best = nearest_name(key, keys, std::max<std::size_t>(2, key.size() / 2));
    if (!best) return {};
    const auto spec = std::find_if(option_specs.begin(), option_specs.end(),
                                   [&](const OptionSpec& s) { return s.key == *best; });
    return fmt::format(" (did you mean '{}{}'?)", *best, spec->takes_value ? "=" : "");
}
unsigned long long parse_count(std::string_view word, std::string_view key, std::string_view value,
                               unsigned long long low, unsigned long long high) {
    unsigned long long n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || n < low ||
        n > high)
        throw Error(fmt::format("bad draw option '{}': {} takes a whole number from {} to {}", word,
                                key, low, high));
    return n;
}

}  // namespace

std::string_view format_name(Format format) noexcept {
    return format_names[static_cast<std::size_t>(format)];
}

std::optional<Format> format_from_name(std::string_view name) noexcept {
    std::string key;
    key.reserve(name.size());
    for (char c : name)
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::size_t i = 0; i < format_names.size(); ++i)
        if (format_names[i] == key) return static_cast<Format>(i);
    if (key == "gv") return Format::Dot;
    return std::nullopt;
}

std::optional<Format> format_from_extension(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    if (ext.size() < 2) return std::nullopt;
    return format_from_name(std::string_view(ext).substr(1));
}

DrawOptions parse_draw_options(std::span<const std::string> words) {
    DrawOptions options;
    for (const std::string& word : words) {
        std::string_view w = word;
        std::size_t eq = w.find('=');
        std::string key = lower(w.substr(0, eq));
        std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : w.substr(eq + 1);
        auto spec = std::find_if(option_specs.begin(), option_specs.end(),
                                 [&](const OptionSpec& s) { return s.key == key; });
        if (spec == option_specs.end() && key == "legend") {
            options.legend = true;
            continue;
        }
        if (spec == option_specs.end())
            throw Error(fmt::format("unknown draw option '{}'{}; options: {}", word,
                                    suggestion(key),
                                    "lr tb decimals=N hide-constants depth=N cluster=PREFIX "
                                    "cluster-modules collapse-modules max-nodes=N shade no-legend "
                                    "format=F"));
        if (spec->takes_value && eq == std::string_view::npos)
            throw Error(fmt::format("draw option '{}' needs a value: {}=…", word, spec->key));
        if (!spec->takes_value && eq != std::string_view::npos)
            throw Error(fmt::format("draw option '{}' takes no value", spec->key));

        if (key == "lr") {
            options.rankdir = RankDir::LeftRight;
        } else if (key == "tb") {
            options.rankdir = RankDir::TopBottom;
        } else if (key == "decimals") {
            options.decimals = static_cast<int>(parse_count(word, key, value, 0, 17));
        } else if (key == "hide-constants") {
            options.hide_constants = true;
        } else if (key == "depth") {
            options.depth = static_cast<unsigned>(parse_count(word, key, value, 0, 1'000'000'000));
        } else if (key == "cluster") {
            if (value.empty())
                throw Error("draw option 'cluster=' needs a name prefix, e.g. cluster=w");
            options.cluster_prefixes.emplace_back(value);
        } else if (key == "cluster-modules") {
            options.cluster_modules = true;
        } else if (key == "collapse-modules") {
            options.collapse_modules = true;
        } else if (key == "max-nodes") {
            options.max_nodes =
                static_cast<std::size_t>(parse_count(word, key, value, 1, 100'000'000));
        } else if (key == "shade") {
            options.shade_gradients = true;
        } else if (key == "no-legend") {
            options.legend = false;
        } else if (key == "format") {
            options.format = format_from_name(value);
            if (!options.format)
                throw Error(
                    fmt::format("unknown format '{}'; supported: svg, png, pdf, dot, json", value));
        }
    }
    return options;
}

std::string draw_options_help() {
    std::string out;
    for (const OptionSpec& spec : option_specs) {
        if (spec.takes_value)
            out += fmt::format("  {}\n", spec.help);
        else
            out += fmt::format("  {:<15} {}\n", spec.key, spec.help);
    }
    return out;
}

}  // namespace mgrad
