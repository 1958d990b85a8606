// Session::complete: what may complete the word before a cursor, for every front end (the
// REPL's Tab, the notebook's, the Python package). In a command the spec says which words are
// valid where; elsewhere the word is a name, a constant or a function. One pass over the text:
// the time grows with its length, whatever it holds.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "mgrad/language/command_spec.hpp"
#include "mgrad/language/session.hpp"
#include "session_impl.hpp"

namespace mgrad {

namespace {

/// A longer word is no name, option or file anyone completes: it is not looked up (each
/// candidate would be compared with it).
constexpr std::size_t max_completed_word = 1024;

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool starts_with_nocase(std::string_view word, std::string_view prefix) {
    if (prefix.size() > word.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = word[i], b = prefix[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
        if (a != b) return false;
    }
    return true;
}

/// Where the statement the text ends in starts: after the last `;` or line break outside
/// quotes. Nothing when the text ends in a comment.
std::optional<std::size_t> statement_start(std::string_view text) {
    std::size_t start = 0;
    bool quoted = false, comment = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            start = i + 1;
            quoted = comment = false;
        } else if (comment) {
            continue;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && c == ';') {
            start = i + 1;
        } else if (!quoted && c == '#') {
            comment = true;
        }
    }
    if (comment) return std::nullopt;
    return start;
}

struct Builder {
    std::string_view prefix;
    std::vector<Completion::Candidate> out;
    void add(std::string text, std::string_view kind, bool nocase = false) {
        if (nocase ? !starts_with_nocase(text, prefix)
                   : !std::string_view(text).starts_with(prefix))
            return;
        out.push_back({std::move(text), std::string(kind)});
    }
};

/// Files and directories (with a '/') that complete `word`, relative to the working directory;
/// files only with one of `extensions` (any when there are none); `lead` goes before each
/// (`plot=`).
void add_files(Builder& b, std::string_view word, std::span<const std::string_view> extensions,
               bool directories_only, std::string_view lead = {}) {
    const std::size_t slash = word.rfind('/');
    const std::string dir(slash == std::string_view::npos ? std::string_view{}
                                                          : word.substr(0, slash + 1));
    const std::string_view stem = slash == std::string_view::npos ? word : word.substr(slash + 1);
    std::error_code ec;
    std::filesystem::directory_iterator it(dir.empty() ? std::string(".") : dir, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.starts_with(stem) || (name.starts_with('.') && !stem.starts_with('.'))) continue;
        std::error_code type_ec;
        const bool is_dir = it->is_directory(type_ec);
        if (!is_dir && (directories_only || !has_extension(name, extensions))) continue;
        b.out.push_back({fmt::format("{}{}{}{}", lead, dir, name, is_dir ? "/" : ""),
                         is_dir ? "directory" : "file"});
    }
}

void add_names(Builder& b, const Session& session, bool leaves_only) {
    for (const std::string& name : session.names()) {
        if (!name.starts_with(b.prefix)) continue;
        if (leaves_only && !is_leaf(session.graph().op(*session.lookup(name)))) continue;
        b.out.push_back({name, "name"});
    }
}

void add_expression_words(Builder& b, const Session& session) {
    add_names(b, session, false);
    for (const NamedConstant& k : session.constants())
        b.add(k.name, "constant");
    for (const std::string& f : session.function_names())
        b.add(f, "function");
}

std::vector<std::string_view> views(const std::vector<std::string>& words) {
    return {words.begin(), words.end()};
}

/// The words of a command, for completion: blank-separated (a quoted word may hold blanks).
std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        if (i == text.size()) break;
        const std::size_t begin = i;
        bool quoted = false;
        while (i < text.size() && (quoted || (text[i] != ' ' && text[i] != '\t'))) {
            if (text[i] == '"') quoted = !quoted;
            ++i;
        }
        words.push_back(text.substr(begin, i - begin));
    }
    return words;
}

void complete_argument(Builder& b, const Session& session, const Command& command,
                       std::span<const std::string_view> done, std::string_view word,
                       bool shows_pictures) {
    if (!command.spec) {
        add_names(b, session, false);
        return;
    }
    const CommandSpec& spec = *command.spec;
    const OptionParser options(spec.option_noun, spec.options, true);
    auto option_of = [&](std::string_view w) { return options.find(w.substr(0, w.find('='))); };
    // Which options were given, and how far the positional words got (as check_args sorts).
    std::vector<const OptionSpec*> used;
    for (std::string_view w : done)
        if (const OptionSpec* o = option_of(w)) used.push_back(o);
    auto stands_in = [&](const ArgSpec& a) {
        return !a.option.empty() && std::any_of(used.begin(), used.end(), [&](const OptionSpec* o) {
            return o->key == a.option;
        });
    };
    std::vector<std::size_t> count(spec.args.size(), 0);
    std::size_t next = 0;
    auto advance = [&] {
        while (next < spec.args.size() && ((!spec.args[next].repeated && count[next] > 0) ||
                                           (count[next] == 0 && stands_in(spec.args[next]))))
            ++next;
    };
    for (std::string_view w : done) {
        if (option_of(w) != nullptr) continue;
        if (w.find('=') != std::string_view::npos) {
            for (std::size_t k = next; k < spec.args.size(); ++k)
                if (spec.args[k].kind == ArgKind::Range) next = k;
            if (!spec.options.empty() &&
                (next >= spec.args.size() || spec.args[next].kind != ArgKind::Range))
                continue;  // an unknown option: it takes no argument's place
        }
        advance();
        if (next < spec.args.size()) ++count[next];
    }
    advance();

    // A value after `key=`.
    if (const std::size_t eq = word.find('='); eq != std::string_view::npos) {
        const OptionSpec* o = options.find(word.substr(0, eq));
        if (o == nullptr || !o->takes_value()) return;
        const std::string lead = fmt::format("{}=", o->key);
        if (o->kind == ValueKind::Choice) {
            Builder values{word.substr(eq + 1), {}};
            for (std::string_view c : o->choices)
                values.add(std::string(c), "value", true);
            for (auto& v : values.out)
                b.out.push_back({lead + v.text, "value"});
        } else if (o->kind == ValueKind::File) {
            add_files(b, word.substr(eq + 1), o->choices, false, lead);
        }
        return;
    }
    // The options not given yet (or that repeat), unless they stand for an argument given.
    for (const OptionSpec& o : spec.options) {
        if (o.help.empty()) continue;
        if (!o.repeatable && std::find(used.begin(), used.end(), &o) != used.end()) continue;
        const auto arg = std::find_if(spec.args.begin(), spec.args.end(),
                                      [&](const ArgSpec& a) { return a.option == o.key; });
        if (arg != spec.args.end() && count[static_cast<std::size_t>(arg - spec.args.begin())] > 0)
            continue;
        if (!o.takes_value() || (o.value_optional && shows_pictures))
            b.add(std::string(o.key), "option");
        if (o.takes_value()) b.add(fmt::format("{}=", o.key), "option");
    }
    if (next == spec.args.size()) return;
    const ArgSpec& a = spec.args[next];
    switch (a.kind) {
        case ArgKind::Node: add_names(b, session, false); break;
        case ArgKind::Leaf: add_names(b, session, true); break;
        case ArgKind::Choice:
            for (const std::string& c : a.choices)
                b.add(c, "keyword");
            break;
        case ArgKind::File: {
            const auto extensions = views(a.choices);
            add_files(b, word, extensions, false);
            break;
        }
        case ArgKind::Directory:
            for (const std::string& c : a.choices)
                b.add(c, "keyword");
            add_files(b, word, {}, true);
            break;
        case ArgKind::Topic:
            if (word.starts_with(':')) {
                for (const Command* c : session.commands())
                    b.add(":" + c->name, "command");
                break;
            }
            for (const Command* c : session.commands())
                b.add(c->name, "command");
            for (const std::string& f : session.function_names())
                b.add(f, "function");
            for (const NamedConstant& k : session.constants())
                b.add(k.name, "constant");
            b.add("syntax", "topic");
            b.add("train", "topic");
            break;
        case ArgKind::Expression: add_expression_words(b, session); break;
        case ArgKind::Number:
        case ArgKind::Whole:
        case ArgKind::Range: break;  // nothing to offer: any number, any variable
    }
}

}  // namespace

Completion Session::complete(std::string_view text) const {
    Completion result;
    result.start = text.size();
    const std::optional<std::size_t> begin = statement_start(text);
    if (!begin) return result;  // in a comment
    const std::string_view statement = text.substr(*begin);
    const std::size_t first = statement.find_first_not_of(" \t");
    const bool shows_pictures = m_impl->m_output->shows_pictures();
    Builder b;
    if (first != std::string_view::npos && statement[first] == ':') {
        const std::vector<std::string_view> words = split_words(statement.substr(first));
        const bool fresh = statement.back() == ' ' || statement.back() == '\t';
        const std::string_view word = fresh ? std::string_view{} : words.back();
        result.start = text.size() - word.size();
        b.prefix = word;
        if (word.size() > max_completed_word) return result;
        if (words.size() == 1 && !fresh) {
            for (const Command* c : commands())
                b.add(":" + c->name, "command");
        } else {
            const Command* command = nullptr;
            try {
                command = &resolve_command(words.front().substr(1));
            } catch (const Error&) {
                return result;  // no command: nothing is valid after it
            }
            const std::size_t finished = words.size() - (fresh ? 0 : 1);
            complete_argument(b, *this, *command,
                              std::span<const std::string_view>(words).subspan(1, finished - 1),
                              word, shows_pictures);
        }
    } else {
        // An expression: `name.` offers data and grad; a name's start, the names.
        std::size_t k = statement.size();
        while (k > 0 && is_name_char(statement[k - 1]))
            --k;
        const std::string_view word = statement.substr(k);
        result.start = text.size() - word.size();
        b.prefix = word;
        if (word.size() > max_completed_word) return result;
        if (!word.empty() && word.front() >= '0' && word.front() <= '9') return result;  // a number
        if (k > 0 && statement[k - 1] == '.') {
            std::size_t j = k - 1;
            while (j > 0 && is_name_char(statement[j - 1]))
                --j;
            const std::string_view owner = statement.substr(j, k - 1 - j);
            if (!owner.empty() && lookup(owner)) {
                b.add("data", "attribute");
                b.add("grad", "attribute");
            }
        } else {
            const std::size_t last = statement.substr(0, k).find_last_not_of(" \t");
            const bool after_operator =
                last == std::string_view::npos ||
                std::string_view("=(+-*/^,").find(statement[last]) != std::string_view::npos;
            if (!word.empty() || after_operator) add_expression_words(b, *this);
        }
    }
    std::sort(b.out.begin(), b.out.end(), [](const auto& x, const auto& y) {
        return x.text < y.text || (x.text == y.text && x.kind < y.kind);
    });
    b.out.erase(std::unique(b.out.begin(), b.out.end(),
                            [](const auto& x, const auto& y) { return x.text == y.text; }),
                b.out.end());
    result.candidates = std::move(b.out);
    return result;
}

}  // namespace mgrad
