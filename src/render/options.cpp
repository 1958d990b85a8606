// Formats and the option words of `:draw NAME FILE [options]`.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "mgrad/render/render.hpp"
#include "mgrad/support/error.hpp"
#include "mgrad/support/options.hpp"

namespace mgrad {
namespace {

constexpr std::array<std::string_view, 5> format_names{"svg", "png", "pdf", "dot", "json"};

constexpr std::array<OptionSpec, 13> option_specs{{
    {"lr", false, "left to right (the default)"},
    {"tb", false, "top to bottom"},
    {"decimals", true,
     "decimals=N      digits after the point for data and grad (0-17, default 4)"},
    {"hide-constants", false, "fold constants into the op label (`*2`) instead of drawing them"},
    {"depth", true, "depth=N         only values at most N ops away from the drawn value"},
    {"cluster", true, "cluster=PREFIX  box the values whose name starts with PREFIX (repeatable)",
     "PREFIX"},
    {"cluster-modules", false, "box the values each nn module (neuron, layer) made"},
    {"collapse-modules", false, "draw each nn module (a neuron) as one box: name, size, output"},
    {"max-nodes", true, "max-nodes=N     refuse to lay out more than N values (default 1500)"},
    {"shade", false, "colour values by gradient: red negative, blue positive, stronger = larger"},
    {"no-legend", false, "leave the legend out"},
    {"format", true, "format=F        svg, png, pdf, dot or json, whatever the file is called",
     "F"},
    {"legend", false, ""},  // the default, accepted for symmetry with no-legend
}};

constexpr OptionParser parser("draw option", option_specs);

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
        const OptionWord o = *parser.read(word);
        const std::string_view key = o.spec->key, value = o.value;
        if (key == "lr") {
            options.rankdir = RankDir::LeftRight;
        } else if (key == "tb") {
            options.rankdir = RankDir::TopBottom;
        } else if (key == "decimals") {
            options.decimals = static_cast<int>(whole_number(o, word, "draw option", 0, 17));
        } else if (key == "hide-constants") {
            options.hide_constants = true;
        } else if (key == "depth") {
            options.depth =
                static_cast<unsigned>(whole_number(o, word, "draw option", 0, 1'000'000'000));
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
                static_cast<std::size_t>(whole_number(o, word, "draw option", 1, 100'000'000));
        } else if (key == "shade") {
            options.shade_gradients = true;
        } else if (key == "legend") {
            options.legend = true;
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

std::string draw_options_help() { return parser.help(); }

}  // namespace mgrad
