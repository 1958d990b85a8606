// Option words: `flag` and `key=value` (see options.hpp).
#include "mgrad/support/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include "mgrad/support/suggest.hpp"

namespace mgrad {
namespace {

bool same_key(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

[[noreturn]] void fail(const std::string& message, const std::optional<SourceSpan>& span) {
    if (span) throw Error(message, *span);
    throw Error(message);
}

}  // namespace

std::optional<OptionWord> OptionParser::read(std::string_view word,
                                             std::optional<SourceSpan> span) const {
    const std::size_t eq = word.find('=');
    const std::string_view key = word.substr(0, eq);
    const auto spec = std::find_if(m_specs.begin(), m_specs.end(),
                                   [&](const OptionSpec& s) { return same_key(s.key, key); });
    if (spec == m_specs.end()) {
        if (m_positional && eq == std::string_view::npos) return std::nullopt;
        std::vector<std::string> keys;
        for (const OptionSpec& s : m_specs)
            keys.emplace_back(s.key);
        std::string lowered(key);
        for (char& c : lowered)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string hint;
        if (const auto best =
                nearest_name(lowered, keys, std::max<std::size_t>(2, lowered.size() / 2))) {
            const auto s = std::find_if(m_specs.begin(), m_specs.end(),
                                        [&](const OptionSpec& o) { return o.key == *best; });
            hint = fmt::format(" (did you mean '{}{}'?)", *best, s->takes_value ? "=" : "");
        }
        fail(fmt::format("unknown {} '{}'{}; options: {}", m_what, word, hint, list()), span);
    }
    if (spec->takes_value && eq == std::string_view::npos)
        fail(fmt::format("{} '{}' needs a value: {}=…", m_what, word, spec->key), span);
    if (!spec->takes_value && eq != std::string_view::npos)
        fail(fmt::format("{} '{}' takes no value", m_what, spec->key), span);
    return OptionWord{&*spec,
                      eq == std::string_view::npos ? std::string_view{} : word.substr(eq + 1)};
}

std::string OptionParser::list() const {
    std::string out;
    for (const OptionSpec& s : m_specs) {
        if (s.help.empty()) continue;
        if (!out.empty()) out += ' ';
        out += s.takes_value ? fmt::format("{}={}", s.key, s.value_name) : std::string(s.key);
    }
    return out;
}

std::string OptionParser::help() const {
    std::string out;
    for (const OptionSpec& s : m_specs) {
        if (s.help.empty()) continue;
        if (s.takes_value)
            out += fmt::format("  {}\n", s.help);
        else
            out += fmt::format("  {:<15} {}\n", s.key, s.help);
    }
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
             span);
    return n;
}

}  // namespace mgrad
