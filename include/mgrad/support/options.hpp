// Option words — the `flag` and `key=value` words commands take (`:draw L f.svg tb depth=3`,
// `:minimize L steps=50 lr=0.1`), read one way everywhere.
//
// A command lists its options as OptionSpecs: the key, the kind of value it takes (none, a
// whole number or a number in a range, a word from a set, a file with given extensions, any
// text), whether it may be given more than once, and a line of help. Everything else derives
// from that one list: an OptionParser reads a word (it splits at the first `=`, finds the
// option, keys ignore case, and checks the value), the help lists the options, and the
// completion of every front end offers them. An unknown key is an Error that suggests the
// nearest option and lists them all; a word that is no option (no `=`, not a known flag) can be
// left to the command as a positional word. Errors carry the word's span when the caller gives
// one, and their parts as data (ErrorDetail).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mgrad/support/error.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// What an option's value (or a command's argument) is.
enum class ValueKind : std::uint8_t {
    None,    ///< no value: a flag (`shade`)
    Whole,   ///< a whole number from `low` to `high` (`depth=3`)
    Number,  ///< a finite number, from `low` to `high` unless both are 0 (`lr=0.1`)
    Choice,  ///< one of `choices`, in any case (`format=png`)
    File,    ///< a file name; `choices` are the extensions it may have (none: any)
    Text,    ///< any text but the empty one (`cluster=w`)
};

/// The name of a kind as the JSON descriptions write it: "flag", "whole", "number", "choice",
/// "file", "text".
[[nodiscard]] MGRAD_API std::string_view value_kind_name(ValueKind kind) noexcept;

struct MGRAD_API OptionSpec {
    std::string_view key{};  ///< the flag, or the part before `=`
    ValueKind kind = ValueKind::None;
    /// One line of help ("only values at most N ops away …"). Empty: accepted but not listed.
    std::string_view help{};
    std::string_view value_name = "N";  ///< in the option list: `depth=N`
    double low = 0.0;                   ///< Whole, Number: the range
    double high = 0.0;
    std::span<const std::string_view> choices{};  ///< Choice: the words; File: the extensions
    bool repeatable = false;      ///< may be given more than once (`cluster=w cluster=b`)
    bool value_optional = false;  ///< also a flag without its value (`plot` and `plot=FILE`)
    /// In messages: for File, what is done to it ("plot to": "cannot plot to 'x.bmp': use …");
    /// for Text, what the value is ("a name prefix").
    std::string_view what{};

    [[nodiscard]] constexpr bool takes_value() const noexcept { return kind != ValueKind::None; }
};

/// What an option's value must be, in words: "a whole number from 0 to 17", "one of svg, png".
[[nodiscard]] MGRAD_API std::string describe_value(const OptionSpec& spec);

/// One option word, read.
struct MGRAD_API OptionWord {
    const OptionSpec* spec = nullptr;
    std::string_view value;  ///< after the `=` (empty for a flag)
    double number = 0.0;     ///< Whole, Number: the value read
    bool has_value = false;  ///< a `=` was given
};

class MGRAD_API OptionParser {
  public:
    /// `what` names the options in messages ("draw option", ":minimize option"). The specs
    /// must outlive the parser.
    constexpr OptionParser(std::string_view what, std::span<const OptionSpec> specs,
                           bool positional = false) noexcept
        : m_what(what), m_specs(specs), m_positional(positional) {}

    /// Reads one word and checks its value. Without `positional`, every word must be an
    /// option; with it, a word without `=` that is no flag is returned as nullopt, for the
    /// caller to take. Throws Error (at `span`, or at the value within it) for an unknown key,
    /// a missing value, a value given to a flag, or a value of the wrong kind.
    [[nodiscard]] std::optional<OptionWord> read(std::string_view word,
                                                 std::optional<SourceSpan> span = {}) const;
    /// The option with this key (in any case), or null.
    [[nodiscard]] const OptionSpec* find(std::string_view key) const noexcept;

    /// The options, as `tb depth=N cluster=PREFIX …` (the listed ones).
    [[nodiscard]] std::string list() const;
    /// One line per listed option: "  key             help", "  key=N           help".
    [[nodiscard]] std::string help() const;
    [[nodiscard]] std::span<const OptionSpec> specs() const noexcept { return m_specs; }
    [[nodiscard]] std::string_view what() const noexcept { return m_what; }

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

/// A number word as mgrad writes numbers: an optional sign, digits with an optional point and
/// exponent. Nothing when the word is not one (or is out of the range of a double).
[[nodiscard]] MGRAD_API std::optional<double> read_number(std::string_view word) noexcept;

/// Whether `file`'s extension (after its last '.', in any case) is one of `extensions`; true
/// when there are none.
[[nodiscard]] MGRAD_API bool has_extension(std::string_view file,
                                           std::span<const std::string_view> extensions) noexcept;

/// ".png, .svg or .pdf".
[[nodiscard]] MGRAD_API std::string list_extensions(std::span<const std::string_view> extensions);

}  // namespace mgrad
