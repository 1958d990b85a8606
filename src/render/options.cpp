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

constexpr std::array<std::string_view, 6> format_choices{"svg", "png", "pdf", "dot", "json", "gv"};

constexpr std::array<OptionSpec, 13> option_specs{{
    {.key = "lr", .help = "left to right (the default)"},
    {.key = "tb", .help = "top to bottom"},
    {.key = "decimals",
     .kind = ValueKind::Whole,
     .help = "digits after the point for data and grad (0-17, default 4)",
     .low = 0,
     .high = 17},
    {.key = "hide-constants",
     .help = "fold constants into the op label (`*2`) instead of drawing them"},
    {.key = "depth",
     .kind = ValueKind::Whole,
     .help = "only values at most N ops away from the drawn value",
     .low = 0,
     .high = 1'000'000'000},
    {.key = "cluster",
     .kind = ValueKind::Text,
     .help = "box the values whose name starts with PREFIX (repeatable)",
     .value_name = "PREFIX",
     .repeatable = true,
     .what = "a name prefix, e.g. cluster=w"},
    {.key = "cluster-modules", .help = "box the values each nn module (neuron, layer) made"},
    {.key = "collapse-modules",
     .help = "draw each nn module (a neuron) as one box: name, size, output"},
    {.key = "max-nodes",
     .kind = ValueKind::Whole,
     .help = "refuse to lay out more than N values (default 1500)",
     .low = 1,
     .high = 100'000'000},
    {.key = "shade",
     .help = "colour values by gradient: red negative, blue positive, stronger = larger"},
    {.key = "no-legend", .help = "leave the legend out"},
    {.key = "format",
     .kind = ValueKind::Choice,
     .help = "svg, png, pdf, dot or json, whatever the file is called",
     .value_name = "F",
     .choices = format_choices},
    {.key = "legend"},  // the default, accepted for symmetry with no-legend
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
        const OptionWord o = *parser.read(word);  // checks the value against its spec
        const std::string_view key = o.spec->key, value = o.value;
        if (key == "lr") {
            options.rankdir = RankDir::LeftRight;
        } else if (key == "tb") {
            options.rankdir = RankDir::TopBottom;
        } else if (key == "decimals") {
            options.decimals = static_cast<int>(o.number);
        } else if (key == "hide-constants") {
            options.hide_constants = true;
        } else if (key == "depth") {
            options.depth = static_cast<unsigned>(o.number);
        } else if (key == "cluster") {
            options.cluster_prefixes.emplace_back(value);
        } else if (key == "cluster-modules") {
            options.cluster_modules = true;
        } else if (key == "collapse-modules") {
            options.collapse_modules = true;
        } else if (key == "max-nodes") {
            options.max_nodes = static_cast<std::size_t>(o.number);
        } else if (key == "shade") {
            options.shade_gradients = true;
        } else if (key == "legend") {
            options.legend = true;
        } else if (key == "no-legend") {
            options.legend = false;
        } else if (key == "format") {
            options.format = format_from_name(value);
        }
    }
    return options;
}

std::string draw_options_help() { return parser.help(); }

const OptionParser& draw_option_parser() noexcept { return parser; }

}  // namespace mgrad
