// A command's words checked against its spec (command_spec.hpp): which word is which argument
// or option, each checked by its kind, and the usage line the spec makes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "mgrad/language/command_spec.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/support/suggest.hpp"

namespace mgrad {

namespace {

std::string lowered(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// What an argument takes, in words, for an ErrorDetail.
std::string expected_of(const ArgSpec& a) {
    switch (a.kind) {
        case ArgKind::Node: return "a bound name";
        case ArgKind::Leaf: return "a bound name whose node is a leaf";
        case ArgKind::Number:
            if (a.low != 0.0 || a.high != 0.0)
                return fmt::format("a number from {} to {}", format_number(a.low),
                                   format_number(a.high));
            return a.positive ? "a positive number" : "a finite number";
        case ArgKind::Whole:
            return fmt::format("a whole number from {} to {}", static_cast<std::uint64_t>(a.low),
                               static_cast<std::uint64_t>(a.high));
        case ArgKind::Choice: return fmt::format("one of {}", fmt::join(a.choices, ", "));
        case ArgKind::File:
            if (a.choices.empty()) return "a file name";
            return fmt::format("a file name ending in .{}", fmt::join(a.choices, ", ."));
        case ArgKind::Directory:
            return a.choices.empty() ? std::string("a directory")
                                     : fmt::format("a directory or {}", fmt::join(a.choices, ", "));
        case ArgKind::Topic: return "a command, a function or 'syntax'";
        case ArgKind::Expression: return "a formula";
        case ArgKind::Range: return "a range VAR=A..B";
    }
    return {};
}

ErrorDetail detail_of(const ArgSpec& a, std::vector<std::string> suggestions = {}) {
    return ErrorDetail{a.name, expected_of(a), std::move(suggestions), {}};
}

std::vector<std::string_view> views(const std::vector<std::string>& words) {
    return {words.begin(), words.end()};
}

/// Checks one positional word; returns the node it names (Node, Leaf) or its number.
void check_word(Session& session, const ArgSpec& a, const Word& w, NodeId& node, double& number) {
    switch (a.kind) {
        case ArgKind::Node:
        case ArgKind::Leaf: {
            try {
                node = session.require(w.text, w.span);
            } catch (const Error& e) {
                std::vector<std::string> names(session.names().begin(), session.names().end());
                std::vector<std::string> near;
                if (const auto best = nearest_name(w.text, names)) near.push_back(*best);
                throw Error(e.what(), w.span, detail_of(a, std::move(near)));
            }
            const Op op = session.graph().op(node);
            if (a.kind == ArgKind::Leaf && !is_leaf(op))
                throw Error(fmt::format("'{}' is computed ({}), not a leaf: only a leaf's data "
                                        "can change",
                                        w.text, op_info(op).name),
                            w.span, detail_of(a));
            return;
        }
        case ArgKind::Number: {
            const auto v = read_number(w.text);
            if (!v) {
                const bool huge = !w.text.empty() &&
                                  w.text.find_first_not_of("+-0123456789.eE") == std::string::npos;
                throw Error(
                    huge ? fmt::format("{} must be a finite number, not '{}'", a.name, w.text)
                         : fmt::format("expected a number, not '{}'", w.text),
                    w.span, detail_of(a));
            }
            if (a.positive && !(*v > 0.0))
                throw Error(fmt::format("{} must be positive, not '{}'", a.name, w.text), w.span,
                            detail_of(a));
            if ((a.low != 0.0 || a.high != 0.0) && (*v < a.low || *v > a.high))
                throw Error(fmt::format("{} must be from {} to {}, not '{}'", a.name,
                                        format_number(a.low), format_number(a.high), w.text),
                            w.span, detail_of(a));
            number = *v;
            return;
        }
        case ArgKind::Whole: {
            const bool digits = !w.text.empty() && w.text.size() <= 15 &&
                                w.text.find_first_not_of("0123456789") == std::string::npos;
            const double v = digits ? std::stod(w.text) : -1.0;
            if (!digits || v < a.low || v > a.high)
                throw Error(fmt::format("{} must be a whole number from {} to {}, not '{}'", a.name,
                                        static_cast<std::uint64_t>(a.low),
                                        static_cast<std::uint64_t>(a.high), w.text),
                            w.span, detail_of(a));
            number = v;
            return;
        }
        case ArgKind::Choice: {
            const std::string word = lowered(w.text);
            if (std::find(a.choices.begin(), a.choices.end(), word) != a.choices.end()) return;
            const std::string_view noun = a.what.empty() ? std::string_view(a.name) : a.what;
            if (a.choices.size() == 1) {
                // "the one export format is 'torch'": the last word of the noun.
                const std::string_view last = noun.substr(noun.rfind(' ') + 1);
                throw Error(fmt::format("unknown {} '{}' (the one {} is '{}')", noun, w.text, last,
                                        a.choices.front()),
                            w.span, detail_of(a, a.choices));
            }
            std::vector<std::string> near;
            std::string hint;
            if (const auto best = nearest_name(word, a.choices)) {
                near.push_back(*best);
                hint = fmt::format(" (did you mean '{}'?)", *best);
            }
            throw Error(fmt::format("unknown {} '{}'{}; one of: {}", noun, w.text, hint,
                                    fmt::join(a.choices, ", ")),
                        w.span, detail_of(a, std::move(near)));
        }
        case ArgKind::File: {
            const auto extensions = views(a.choices);
            if (a.strict_extension && !has_extension(w.text, extensions))
                throw Error(fmt::format("cannot {} '{}': use {}", a.what.empty() ? "use" : a.what,
                                        w.text, list_extensions(extensions)),
                            w.span, detail_of(a));
            return;
        }
        case ArgKind::Directory:
        case ArgKind::Topic:
        case ArgKind::Expression:
        case ArgKind::Range: return;  // the command reads these itself
    }
}

bool is_range_word(std::string_view word) {
    const std::size_t eq = word.find('=');
    return eq != std::string_view::npos && eq > 0 && word.find("..", eq) != std::string_view::npos;
}

}  // namespace

std::string_view arg_kind_name(ArgKind kind) noexcept {
    switch (kind) {
        case ArgKind::Node: return "node";
        case ArgKind::Leaf: return "leaf";
        case ArgKind::Number: return "number";
        case ArgKind::Whole: return "whole";
        case ArgKind::Choice: return "choice";
        case ArgKind::File: return "file";
        case ArgKind::Directory: return "directory";
        case ArgKind::Topic: return "topic";
        case ArgKind::Expression: return "expression";
        case ArgKind::Range: return "range";
    }
    return "node";
}

CommandArgs::CommandArgs(std::span<const Word> words) : m_words(words.begin(), words.end()) {}

const Word* CommandArgs::get(std::string_view name) const noexcept {
    const auto s = all(name);
    return s.empty() ? nullptr : &s.front();
}

std::span<const Word> CommandArgs::all(std::string_view name) const noexcept {
    for (const Slot& slot : m_slots)
        if (slot.spec->name == name)
            return std::span<const Word>(m_words).subspan(slot.first, slot.count);
    return {};
}

std::optional<NodeId> CommandArgs::node(std::string_view name) const noexcept {
    for (const Slot& slot : m_slots)
        if (slot.spec->name == name && slot.count > 0 && slot.node != no_node) return slot.node;
    return std::nullopt;
}

double CommandArgs::number(std::string_view name, double fallback) const noexcept {
    for (const Slot& slot : m_slots) {
        if (slot.spec->name != name) continue;
        if (slot.count > 0) return slot.number;
        if (!slot.spec->option.empty())
            if (const OptionArg* o = option(slot.spec->option)) return o->number;
        return fallback;
    }
    if (const OptionArg* o = option(name)) return o->number;
    return fallback;
}

const OptionArg* CommandArgs::option(std::string_view key) const noexcept {
    for (auto it = m_options.rbegin(); it != m_options.rend(); ++it)
        if (it->spec->key == key) return &*it;
    return nullptr;
}

CommandArgs check_args(Session& session, const Command& command, std::span<const Word> words) {
    if (!command.spec) return CommandArgs(words);
    const CommandSpec& spec = *command.spec;
    const std::vector<ArgSpec>& args = spec.args;
    const OptionParser options(spec.option_noun, spec.options, true);
    const std::string usage = command.usage;
    // The options an argument may stand for, given anywhere among the words.
    auto stands_in = [&](const ArgSpec& a) {
        if (a.option.empty()) return false;
        return std::any_of(words.begin(), words.end(), [&](const Word& w) {
            const std::string_view key = std::string_view(w.text).substr(0, w.text.find('='));
            const OptionSpec* o = options.find(key);
            return o != nullptr && o->key == a.option;
        });
    };
    std::vector<std::vector<Word>> given(args.size());
    std::vector<NodeId> nodes(args.size(), no_node);
    std::vector<double> numbers(args.size(), 0.0);
    CommandArgs out;
    std::size_t next = 0;  // the argument the next positional word is for
    auto has_range_from = [&](std::size_t from) {
        for (std::size_t k = from; k < args.size(); ++k)
            if (args[k].kind == ArgKind::Range) return k;
        return args.size();
    };
    for (const Word& w : words) {
        const std::size_t eq = w.text.find('=');
        if (!spec.options.empty()) {
            const OptionSpec* o = options.find(std::string_view(w.text).substr(0, eq));
            const bool range = eq != std::string::npos && is_range_word(w.text) &&
                               has_range_from(next) < args.size();
            if (o != nullptr || (eq != std::string::npos && !range)) {
                const std::optional<OptionWord> read = options.read(w.text, w.span);  // checks it
                if (!read->spec->repeatable && out.option(read->spec->key) != nullptr)
                    throw Error(
                        fmt::format("{} '{}' is given twice", spec.option_noun, read->spec->key),
                        w.span,
                        ErrorDetail{
                            std::string(read->spec->key), describe_value(*read->spec), {}, {}});
                out.m_options.push_back(OptionArg{read->spec, w, std::string(read->value),
                                                  read->number, read->has_value});
                continue;
            }
        }
        // A positional word: for the next argument that still takes one.
        if (eq != std::string::npos && is_range_word(w.text))
            if (const std::size_t r = has_range_from(next); r < args.size()) next = r;
        while (next < args.size() && ((!args[next].repeated && !given[next].empty()) ||
                                      (given[next].empty() && stands_in(args[next]))))
            ++next;
        if (next == args.size())
            throw Error(fmt::format("too many arguments; usage: {}", usage), w.span,
                        ErrorDetail{"", usage, {}, {}});
        check_word(session, args[next], w, nodes[next], numbers[next]);
        given[next].push_back(w);
    }
    for (std::size_t k = 0; k < args.size(); ++k) {
        if (!given[k].empty() || args[k].optional || stands_in(args[k])) continue;
        throw Error(fmt::format("missing {}; usage: {}",
                                args[k].what.empty() || args[k].kind == ArgKind::Choice ||
                                        args[k].kind == ArgKind::File
                                    ? std::string("argument")
                                    : args[k].what,
                                usage),
                    std::nullopt, detail_of(args[k]));
    }
    for (std::size_t k = 0; k < args.size(); ++k) {
        out.m_slots.push_back(
            CommandArgs::Slot{&args[k], out.m_words.size(), given[k].size(), nodes[k], numbers[k]});
        out.m_words.insert(out.m_words.end(), given[k].begin(), given[k].end());
    }
    for (const OptionArg& o : out.m_options)
        out.m_words.push_back(o.word);
    return out;
}

std::string make_usage(std::string_view name, const CommandSpec& spec) {
    std::string out = fmt::format(":{}", name);
    for (const ArgSpec& a : spec.args) {
        std::string word = a.name;
        if (a.repeated && a.kind != ArgKind::Expression) word += "…";  // EXPR: one formula
        out += a.optional ? fmt::format(" [{}]", word) : fmt::format(" {}", word);
    }
    bool listed = false;
    for (const OptionSpec& o : spec.options) {
        if (o.help.empty()) continue;
        // An option that stands in for an argument is said with the argument.
        if (std::any_of(spec.args.begin(), spec.args.end(),
                        [&](const ArgSpec& a) { return a.option == o.key; }))
            continue;
        if (spec.options_word) {
            if (!listed) out += " [OPTIONS]";
            listed = true;
            continue;
        }
        out += o.takes_value() ? fmt::format(" [{}={}]", o.key, o.value_name)
                               : fmt::format(" [{}]", o.key);
    }
    return out;
}

std::string options_help(const CommandSpec& spec) {
    return OptionParser(spec.option_noun, spec.options).help();
}

}  // namespace mgrad
