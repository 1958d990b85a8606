// Command specs — the words a command takes, described once.
//
// Each command (`:draw`, `:minimize` …) has one CommandSpec: its positional arguments (a bound
// name, a leaf, a file with the extensions it accepts, a number in a range, a word from a set,
// a formula …) and its options (`key=value` words with their kinds and ranges, flags, options
// that may repeat), and its aliases. Everything a user meets about the words comes from it:
// the usage line and the option list of `:help`, the checks run before the command is called
// (with a caret under the bad word, did-you-mean, and the parts of the error as data), the
// completion of every front end (Session::complete), and the JSON description that the Python
// package, the notebook and the page read (describe_commands). Options may come before, between
// or after the positional words: `:draw L decimals=2 out.svg` is `:draw L out.svg decimals=2`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/language/parser.hpp"
#include "mgrad/support/export.hpp"
#include "mgrad/support/options.hpp"

namespace mgrad {

class Session;
struct Command;

/// What a positional argument is.
enum class ArgKind : std::uint8_t {
    Node,        ///< a bound name
    Leaf,        ///< a bound name whose node is a leaf (an input)
    Number,      ///< a finite number (from `low` to `high` unless both are 0)
    Whole,       ///< a whole number from `low` to `high`
    Choice,      ///< one of `choices`
    File,        ///< a file name; `choices` are the extensions it may have (none: any)
    Directory,   ///< a directory name, or one of `choices` (`frames`)
    Topic,       ///< what `:help` explains: a command, a function, `syntax` …
    Expression,  ///< a formula, in one or more words (`:plot x**2 + 1 x=0..1`)
    Range,       ///< `VAR=A..B`
};

/// The name of a kind as the JSON description writes it: "node", "leaf", "number" …
[[nodiscard]] MGRAD_API std::string_view arg_kind_name(ArgKind kind) noexcept;

struct MGRAD_API ArgSpec {
    std::string name{};  ///< as the usage line shows it: "NAME", "FILE", "h", "torch"
    ArgKind kind = ArgKind::Node;
    std::string help{};  ///< a few words: "the value to draw"
    bool optional = false;
    bool repeated = false;               ///< takes every further word that is no option (`LEAF…`)
    std::vector<std::string> choices{};  ///< Choice: the words; File: extensions; Directory: words
    double low = 0.0;                    ///< Number, Whole: the range
    double high = 0.0;
    bool positive = false;          ///< Number: above zero
    bool strict_extension = false;  ///< File: refuse a name with another extension
    /// In messages: a Choice's noun ("export format"), a strict File's verb ("plot to"), and
    /// what a missing argument is ("the expression"; default "argument").
    std::string what{};
    /// An option that may stand in for this argument (`:step L lr=0.1` for `:step L 0.1`).
    std::string option{};
};

struct MGRAD_API CommandSpec {
    std::vector<ArgSpec> args{};
    std::span<const OptionSpec> options{};  ///< static storage (render's draw options …)
    std::string option_noun = "option";     ///< "draw option" in messages
    std::vector<std::string> aliases{};     ///< other names it answers to (`q` for `quit`)
    /// The usage line says [OPTIONS] (a long list, shown by `:help NAME`) instead of each one.
    bool options_word = false;
};

/// One option word of a command, read and checked.
struct MGRAD_API OptionArg {
    const OptionSpec* spec = nullptr;
    Word word;               ///< the whole word as typed, with its span
    std::string value;       ///< after the `=`; empty for a flag
    double number = 0.0;     ///< Whole, Number: the value
    bool has_value = false;  ///< a `=` was given
};

class CommandArgs;

/// Checks `words` against the command's spec (a command without one takes any words) and
/// sorts them into arguments and options. Throws Error with the bad word's span and an
/// ErrorDetail; a missing argument's error has no span (the caller points at the command).
[[nodiscard]] MGRAD_API CommandArgs check_args(Session& session, const Command& command,
                                               std::span<const Word> words);

/// A command's words, checked against its spec: the positional words by argument, then the
/// options. Handlers that take `std::span<const Word>` get the words (positional ones first, in
/// the order of the spec, then the option words as typed).
class MGRAD_API CommandArgs {
  public:
    CommandArgs() = default;
    /// Words not checked against a spec (a command without one): every word positional.
    explicit CommandArgs(std::span<const Word> words);

    // NOLINTNEXTLINE(google-explicit-constructor): a handler may take the words as a span
    operator std::span<const Word>() const noexcept { return m_words; }
    [[nodiscard]] std::span<const Word> words() const noexcept { return m_words; }
    /// The word given for the positional argument `name` (a repeated one's first), or null.
    [[nodiscard]] const Word* get(std::string_view name) const noexcept;
    /// Every word given for the positional argument `name` (several for a repeated one).
    [[nodiscard]] std::span<const Word> all(std::string_view name) const noexcept;
    /// The node a Node or Leaf argument names, when it was given.
    [[nodiscard]] std::optional<NodeId> node(std::string_view name) const noexcept;
    /// A Number or Whole argument, or the option standing in for it, or an option `key`;
    /// `fallback` when none was given.
    [[nodiscard]] double number(std::string_view name, double fallback) const noexcept;
    /// The option `key` (the last one given), or null.
    [[nodiscard]] const OptionArg* option(std::string_view key) const noexcept;
    /// Every option word, in the order typed.
    [[nodiscard]] std::span<const OptionArg> options() const noexcept { return m_options; }

  private:
    friend CommandArgs check_args(Session& session, const Command& command,
                                  std::span<const Word> words);
    struct Slot {
        const ArgSpec* spec = nullptr;
        std::size_t first = 0;  ///< into m_words
        std::size_t count = 0;
        NodeId node = no_node;
        double number = 0.0;
    };
    std::vector<Word> m_words;
    std::vector<Slot> m_slots;
    std::vector<OptionArg> m_options;
};

/// The usage line a spec makes: `:draw NAME [FILE] [OPTIONS]`, `:minimize NAME [LEAF…]
/// [steps=N] [lr=X] [plot=FILE]`.
[[nodiscard]] MGRAD_API std::string make_usage(std::string_view name, const CommandSpec& spec);

/// The option list `:help NAME` shows (one line per option), empty when there are none.
[[nodiscard]] MGRAD_API std::string options_help(const CommandSpec& spec);

/// Every command of the session as JSON: name, usage, summary, aliases, its arguments (name,
/// kind, optional, repeated, choices, range, help) and options (key, kind, value name, range,
/// choices, repeatable, help). What the Python package, the notebook and the page read.
[[nodiscard]] MGRAD_API std::string describe_commands(const Session& session);

}  // namespace mgrad
