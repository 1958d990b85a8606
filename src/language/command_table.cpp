// Session commands: the command table, the added functions, completion, running a command.
#include "session_impl.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "mgrad/support/suggest.hpp"

namespace mgrad {

void Session::Impl::add_command(Command command) {
    std::string name = command.name;
    if (command.usage.empty() && command.spec) command.usage = make_usage(name, *command.spec);
    m_commands.insert_or_assign(std::move(name), std::move(command));
}

const Command* Session::Impl::find_command(std::string_view name) const {
    auto it = m_commands.find(name);
    return it == m_commands.end() ? nullptr : &it->second;
}

const Command& Session::Impl::resolve_command(std::string_view typed) const {
    if (const Command* c = find_command(typed)) return *c;
    // The aliases of the specs (GHCi's and Python's short forms: :q, :exit, :h, :?), then any
    // prefix that only one command has.
    for (const auto& [name, c] : m_commands)
        if (c.spec && std::find(c.spec->aliases.begin(), c.spec->aliases.end(), typed) !=
                          c.spec->aliases.end())
            return c;
    std::vector<const Command*> matches;
    for (auto it = m_commands.lower_bound(typed);
         it != m_commands.end() && std::string_view(it->first).starts_with(typed); ++it)
        matches.push_back(&it->second);
    if (matches.size() == 1) return *matches.front();
    if (matches.size() > 1) {
        std::string names;
        for (std::size_t i = 0; i < matches.size(); ++i)
            names += fmt::format("{}:{}",
                                 i == 0                    ? ""
                                 : i + 1 == matches.size() ? " or "
                                                           : ", ",
                                 matches[i]->name);
        throw Error(fmt::format("':{}' could be {}; type more of the name", typed, names));
    }
    std::vector<std::string> names;
    for (const auto& [name, cmd] : m_commands)
        names.push_back(fmt::format(":{}", name));
    std::string hint = did_you_mean(fmt::format(":{}", typed), names);
    if (hint.empty()) hint = " (':help' lists the commands)";
    throw Error(fmt::format("unknown command ':{}'{}", typed, hint));
}

std::vector<const Command*> Session::Impl::commands() const {
    std::vector<const Command*> out;
    for (const auto& [name, c] : m_commands)
        out.push_back(&c);
    return out;
}

void Session::Impl::add_function(Function function) {
    std::string name = function.name;
    m_functions.insert_or_assign(std::move(name), std::move(function));
}

const Function* Session::Impl::find_function(std::string_view name) const {
    auto it = m_functions.find(name);
    return it == m_functions.end() ? nullptr : &it->second;
}

std::vector<std::string> Session::Impl::function_names() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < op_count; ++i) {
        const OpInfo& info = op_info(static_cast<Op>(i));
        if (info.kind == OpKind::Function) out.emplace_back(info.name);
    }
    for (const auto& [name, f] : m_functions)
        out.push_back(name);
    for (const auto& [name, f] : m_user_functions)
        out.push_back(name);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::string> Session::Impl::completions(std::string_view prefix) const {
    std::vector<std::string> out;
    if (prefix.starts_with(':')) {
        for (const auto& [name, c] : m_commands)
            if (std::string_view(name).starts_with(prefix.substr(1)))
                out.push_back(fmt::format(":{}", name));
    } else {
        for (const auto& name : m_order)
            if (name.starts_with(prefix)) out.push_back(name);
        for (const auto& k : m_constants)
            if (k.name.starts_with(prefix)) out.push_back(k.name);
        for (const auto& name : function_names())
            if (name.starts_with(prefix)) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void Session::Impl::execute_command(const Statement& s, const Frame& frame) {
    const std::string_view text = frame.text.substr(s.span.offset, s.span.length);
    const Command* c = nullptr;
    try {
        c = &resolve_command(s.command);  // a unique prefix or an alias names a command too
    } catch (const Error& e) {
        throw Error(e.what(), s.command_span);
    }
    if (!c->keeps_more) m_more.reset();
    // A command run by this one (a :load's) has its own replay_as(); this one's comes back.
    struct ReplayScope {
        std::optional<std::string>& slot;
        std::optional<std::string> outer;
        explicit ReplayScope(std::optional<std::string>& s) : slot(s), outer(std::move(s)) {
            slot.reset();
        }
        ReplayScope(const ReplayScope&) = delete;
        ReplayScope& operator=(const ReplayScope&) = delete;
        ~ReplayScope() { slot = std::move(outer); }
    } scope{m_replay};
    try {
        c->handler(self, check_args(self, *c, s.words), *m_output);
    } catch (const Error& e) {
        // What the command did before failing, when it did not undo it.
        if (m_replay) m_transcript.append(*m_replay);
        if (e.span()) throw;
        // A handler's error without a place (a missing argument) points at the command.
        throw e.at(s.command_span);
    } catch (...) {
        if (m_replay) m_transcript.append(*m_replay);
        throw;
    }
    if (m_replay) {
        m_transcript.append(*m_replay);
    } else if (c->replay) {
        if (s.command == c->name) {
            m_transcript.append(text);
        } else {
            // `:b L` is saved as `:backward L`, which a later command cannot make ambiguous.
            const std::size_t name_end = s.command_span.offset + s.command_span.length;
            m_transcript.append(
                fmt::format(":{}{}", c->name,
                            frame.text.substr(name_end, s.span.offset + s.span.length - name_end)));
        }
    }
}
}  // namespace mgrad
