// Option words — the `flag` and `key=value` words commands take (`:draw L f.svg tb depth=3`,
// `:minimize L steps=50 lr=0.1`), read one way everywhere.
//
// A command lists its options as OptionSpecs and hands each word to an OptionParser, which
// splits it at the first `=`, finds the option (keys ignore case), and checks that a value is
// given exactly when the option takes one. An unknown key is an Error that suggests the
// nearest option and lists them all; a word that is no option (no `=`, not a known flag) can
// be left to the command as a positional word. whole_number() reads a value that must be a
// whole number in a range. Errors carry the word's span when the caller gives one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mgrad/support/error.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

struct MGRAD_API OptionSpec {
    std::string_view key;  ///< the flag, or the part before `=`
    bool takes_value = false;
    /// One line for help: "depth=N    only values …". Empty: accepted but not listed.
    std::string_view help;
    std::string_view value_name = "N";  ///< in the option list: `depth=N`
};

/// One option word, read.
struct MGRAD_API OptionWord {
    const OptionSpec* spec = nullptr;
    std::string_view value;  ///< after the `=` (empty for a flag)
};

class MGRAD_API OptionParser {
  public:
    /// `what` names the options in messages ("draw option", ":minimize option"). The specs
    /// must outlive the parser.
    constexpr OptionParser(std::string_view what, std::span<const OptionSpec> specs,
                           bool positional = false) noexcept
        : m_what(what), m_specs(specs), m_positional(positional) {}

    /// Reads one word. Without `positional`, every word must be an option; with it, a word
    /// without `=` that is no flag is returned as nullopt, for the caller to take. Throws Error
    /// (at `span`) for an unknown key, a missing value or a value given to a flag.
    [[nodiscard]] std::optional<OptionWord> read(std::string_view word,
                                                 std::optional<SourceSpan> span = {}) const;

    /// The options, as `tb depth=N cluster=PREFIX …` (the listed ones).
    [[nodiscard]] std::string list() const;
    /// One line per listed option: "  key             help" or "  help" for a key=value one
    /// (whose help starts with `key=VALUE`).
    [[nodiscard]] std::string help() const;

  private:
    std::string_view m_what;
    std::span<const OptionSpec> m_specs;
    bool m_positional;
};

/// The value of `word` (an option word) as a whole number from `low` to `high`, or an Error
/// "bad {what} 'word': key takes a whole number from low to high" at `span`.
[[nodiscard]] MGRAD_API std::uint64_t whole_number(const OptionWord& option, std::string_view word,
                                                   std::string_view what, std::uint64_t low,
                                                   std::uint64_t high,
                                                   std::optional<SourceSpan> span = {});

}  // namespace mgrad
