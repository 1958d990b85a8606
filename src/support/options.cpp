// Option words: `flag` and `key=value` (see options.hpp).
#include "mgrad/support/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "mgrad/support/number.hpp"
#include "mgrad/support/suggest.hpp"

namespace mgrad {
namespace {

bool same_key(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

[[noreturn]] void fail(const std::string& message, const std::optional<SourceSpan>& span,
                       ErrorDetail detail) {
    throw Error(message, span, std::move(detail));
}

/// The part of `span` (the span of `word`) that covers word[offset…].
std::optional<SourceSpan> tail_span(const std::optional<SourceSpan>& span, std::size_t offset) {
    if (!span) return span;
    SourceSpan s = *span;
    const auto skip = static_cast<std::uint32_t>(std::min<std::size_t>(offset, s.length));
    s.offset += skip;
    s.column += skip;
    s.length -= skip;
    return s;
}

std::string lowered(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::string_view value_kind_name(ValueKind kind) noexcept {
    switch (kind) {
        case ValueKind::None: return "flag";
        case ValueKind::Whole: return "whole";
        case ValueKind::Number: return "number";
        case ValueKind::Choice: return "choice";
        case ValueKind::File: return "file";
        case ValueKind::Text: return "text";
    }
    return "flag";
}

std::optional<double> read_number(std::string_view word) noexcept {
    std::string_view text = word;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
    // The language's literals: digits with an optional point, or a point and digits, then an
    // optional exponent. (from_chars alone would take "inf", "nan" and hexadecimal.)
    std::size_t i = 0, digits = 0;
    auto is_digit = [&](std::size_t k) {
        return k < text.size() && text[k] >= '0' && text[k] <= '9';
    };
    while (is_digit(i))
        ++i, ++digits;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (is_digit(i))
            ++i, ++digits;
    }
    if (digits == 0) return std::nullopt;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (!is_digit(i)) return std::nullopt;
        while (is_digit(i))
            ++i;
    }
    if (i != text.size()) return std::nullopt;
    // parse_double, not from_chars: libc++ 14 (the core's other library) has none for doubles.
    const ParsedDouble r = parse_double(text);
    if (r.ec != std::errc{} || r.end != text.data() + text.size() || !std::isfinite(r.value))
        return std::nullopt;
    return word.front() == '-' ? -r.value : r.value;
}

bool has_extension(std::string_view file, std::span<const std::string_view> extensions) noexcept {
    if (extensions.empty()) return true;
    const std::size_t dot = file.rfind('.');
    const std::size_t slash = file.rfind('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
        return false;
    const std::string_view ext = file.substr(dot + 1);
    return std::any_of(extensions.begin(), extensions.end(),
                       [&](std::string_view e) { return same_key(e, ext); });
}

std::string list_extensions(std::span<const std::string_view> extensions) {
    std::string out;
    for (std::size_t i = 0; i < extensions.size(); ++i)
        out += fmt::format("{}.{}",
                           i == 0                       ? ""
                           : i + 1 == extensions.size() ? " or "
                                                        : ", ",
                           extensions[i]);
    return out;
}

std::string describe_value(const OptionSpec& spec) {
    switch (spec.kind) {
        case ValueKind::None: return "no value";
        case ValueKind::Whole:
            return fmt::format("a whole number from {} to {}", static_cast<std::uint64_t>(spec.low),
                               static_cast<std::uint64_t>(spec.high));
        case ValueKind::Number:
            if (spec.low == 0.0 && spec.high == 0.0) return "a finite number";
            return fmt::format("a number from {} to {}", format_number(spec.low),
                               format_number(spec.high));
        case ValueKind::Choice: return fmt::format("one of {}", fmt::join(spec.choices, ", "));
        case ValueKind::File:
            if (spec.choices.empty()) return "a file name";
            return fmt::format("a file name ending in {}", list_extensions(spec.choices));
        case ValueKind::Text:
            return spec.what.empty() ? std::string("a value") : std::string(spec.what);
    }
    return {};
}

const OptionSpec* OptionParser::find(std::string_view key) const noexcept {
    const auto spec = std::find_if(m_specs.begin(), m_specs.end(),
                                   [&](const OptionSpec& s) { return same_key(s.key, key); });
    return spec == m_specs.end() ? nullptr : &*spec;
}

std::optional<OptionWord> OptionParser::read(std::string_view word,
                                             std::optional<SourceSpan> span) const {
    const std::size_t eq = word.find('=');
    const std::string_view key = word.substr(0, eq);
    const OptionSpec* spec = find(key);
    if (spec == nullptr) {
        if (m_positional && eq == std::string_view::npos) return std::nullopt;
        std::vector<std::string> keys;
        for (const OptionSpec& s : m_specs)
            if (!s.help.empty()) keys.emplace_back(s.key);
        const std::string low = lowered(key);
        std::string hint;
        ErrorDetail detail{std::string(key), fmt::format("one of the {}s", m_what), {}, {}};
        if (const auto best = nearest_name(low, keys, std::max<std::size_t>(2, low.size() / 2))) {
            const OptionSpec* s = find(*best);
            hint = fmt::format(" (did you mean '{}{}'?)", *best, s->takes_value() ? "=" : "");
            detail.suggestions.push_back(*best + (s->takes_value() ? "=" : ""));
        }
        fail(fmt::format("unknown {} '{}'{}; options: {}", m_what, word, hint, list()), span,
             std::move(detail));
    }
    OptionWord o{spec, {}, 0.0, eq != std::string_view::npos};
    auto detail = [&] {
        return ErrorDetail{std::string(spec->key), describe_value(*spec), {}, {}};
    };
    if (spec->takes_value() && !o.has_value) {
        if (spec->value_optional) return o;
        fail(fmt::format("{} '{}' needs a value: {}=…", m_what, word, spec->key), span, detail());
    }
    if (!spec->takes_value()) {
        if (o.has_value)
            fail(fmt::format("{} '{}' takes no value", m_what, spec->key), span, detail());
        return o;
    }
    o.value = word.substr(eq + 1);
    switch (spec->kind) {
        case ValueKind::None: break;
        case ValueKind::Whole:
            o.number = static_cast<double>(
                whole_number(o, word, m_what, static_cast<std::uint64_t>(spec->low),
                             static_cast<std::uint64_t>(spec->high), span));
            break;
        case ValueKind::Number: {
            const auto value_span = tail_span(span, eq + 1);
            if (o.value.empty()) fail(fmt::format("{} needs a number", spec->key), span, detail());
            const auto v = read_number(o.value);
            if (!v) {
                const bool huge =
                    o.value.find_first_not_of("+-0123456789.eE") == std::string_view::npos;
                fail(huge ? fmt::format("{} must be a finite number, not '{}'", spec->key, o.value)
                          : fmt::format("expected a number, not '{}'", o.value),
                     value_span, detail());
            }
            if ((spec->low != 0.0 || spec->high != 0.0) && (*v < spec->low || *v > spec->high))
                fail(fmt::format("{} must be from {} to {}, not '{}'", spec->key,
                                 format_number(spec->low), format_number(spec->high), o.value),
                     value_span, detail());
            o.number = *v;
            break;
        }
        case ValueKind::Choice: {
            const auto it = std::find_if(spec->choices.begin(), spec->choices.end(),
                                         [&](std::string_view c) { return same_key(c, o.value); });
            if (it != spec->choices.end()) break;
            std::vector<std::string> choices(spec->choices.begin(), spec->choices.end());
            ErrorDetail d = detail();
            std::string hint;
            if (const auto best = nearest_name(lowered(o.value), choices)) {
                d.suggestions.push_back(*best);
                hint = fmt::format(" (did you mean '{}'?)", *best);
            }
            fail(fmt::format("unknown {} '{}'{}; supported: {}", spec->key, o.value, hint,
                             fmt::join(spec->choices, ", ")),
                 span, std::move(d));
        }
        case ValueKind::File:
            if (o.value.empty())
                fail(fmt::format("{}= needs a file name", spec->key), span, detail());
            if (!has_extension(o.value, spec->choices))
                fail(fmt::format("cannot {} '{}': use {}", spec->what.empty() ? "use" : spec->what,
                                 o.value, list_extensions(spec->choices)),
                     span, detail());
            break;
        case ValueKind::Text:
            if (o.value.empty())
                fail(fmt::format("{} '{}=' needs {}", m_what, spec->key, describe_value(*spec)),
                     span, detail());
            break;
    }
    return o;
}

std::string OptionParser::list() const {
    std::string out;
    for (const OptionSpec& s : m_specs) {
        if (s.help.empty()) continue;
        if (!out.empty()) out += ' ';
        out += s.takes_value() ? fmt::format("{}={}", s.key, s.value_name) : std::string(s.key);
    }
    return out;
}

std::string OptionParser::help() const {
    // The descriptions in one column, one blank after the longest option word (at least 16).
    auto word_of = [](const OptionSpec& s) {
        return s.takes_value() ? fmt::format("{}={}", s.key, s.value_name) : std::string(s.key);
    };
    std::size_t width = 15;
    for (const OptionSpec& s : m_specs)
        if (!s.help.empty()) width = std::max(width, word_of(s).size() + 1);
    std::string out;
    for (const OptionSpec& s : m_specs)
        if (!s.help.empty()) out += fmt::format("  {:<{}} {}\n", word_of(s), width, s.help);
    return out;
}

std::uint64_t whole_number(const OptionWord& option, std::string_view word, std::string_view what,
                           std::uint64_t low, std::uint64_t high, std::optional<SourceSpan> span) {
    const std::string_view v = option.value;
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || n < low || n > high)
        fail(fmt::format("bad {} '{}': {} takes a whole number from {} to {}", what, word,
                         option.spec->key, low, high),
             span,
             ErrorDetail{std::string(option.spec->key),
                         fmt::format("a whole number from {} to {}", low, high),
                         {},
                         {}});
    return n;
}

}  // namespace mgrad
