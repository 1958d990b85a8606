// Session: the front door. Each operation is forwarded to Session::Impl, whose parts live
// beside this file: bindings.cpp (names, constants), command_table.cpp (commands, functions,
// completion), loader.cpp (running text and files), statements.cpp and evaluator.cpp (executing
// statements and expressions), user_functions.cpp (`f(x) = …`, `const`) and backward.cpp.
#include "mgrad/language/session.hpp"

#include "session_impl.hpp"

#include <fmt/format.h>

#include "mgrad/support/number.hpp"

namespace mgrad {

Session::Session(Output& output, SessionOptions options)
    : m_impl(std::make_unique<Impl>(*this, output, options)) {}

Session::~Session() = default;

// --- the interface, forwarded to Impl --------------------------------------------------------

Graph& Session::graph() noexcept { return m_impl->m_graph; }
const Graph& Session::graph() const noexcept { return m_impl->m_graph; }
Output& Session::output() noexcept { return *m_impl->m_output; }
SessionOptions& Session::options() noexcept { return m_impl->m_options; }
bool Session::run(std::string_view source_name, std::string_view text, std::uint32_t first_line,
                  Author author) {
    return m_impl->run(source_name, text, first_line, author);
}
bool Session::run_file(const std::string& path) { return m_impl->run_file(path); }
bool Session::run_command(std::string_view name, const std::vector<std::string>& args) {
    return m_impl->run_command(name, args);
}
std::string_view Session::current_source() const noexcept { return m_impl->current_source(); }
std::size_t Session::error_count() const noexcept { return m_impl->m_error_count; }
void Session::set_interrupt_flag(const volatile std::sig_atomic_t* flag) noexcept {
    m_impl->m_interrupt = flag;
}
bool Session::interrupted() const noexcept { return m_impl->interrupted(); }
bool Session::quit_requested() const noexcept { return m_impl->m_quit; }
void Session::request_quit() noexcept { m_impl->m_quit = true; }
void Session::set_progress_hook(std::function<void()> hook) {
    m_impl->m_progress = std::move(hook);
}
void Session::progress() { m_impl->progress(); }
std::optional<NodeId> Session::lookup(std::string_view name) const { return m_impl->lookup(name); }
NodeId Session::require(std::string_view name, std::optional<SourceSpan> span) const {
    return m_impl->require(name, span);
}
const std::deque<std::string>& Session::names() const noexcept { return m_impl->m_order; }
void Session::bind(std::string_view name, NodeId id) { m_impl->bind(name, id); }
void Session::reset() { m_impl->reset(); }
std::optional<double> Session::constant(std::string_view name) const {
    return m_impl->constant(name);
}
const std::vector<NamedConstant>& Session::constants() const noexcept {
    return m_impl->m_constants;
}
const UserFunction* Session::user_function(std::string_view name) const {
    const auto it = m_impl->m_user_functions.find(name);
    return it == m_impl->m_user_functions.end() ? nullptr : &it->second->info;
}
std::vector<const UserFunction*> Session::user_functions() const {
    return m_impl->user_functions();
}
Operand Session::evaluate(std::string_view expression) { return m_impl->evaluate_text(expression); }
const Command& Session::resolve_command(std::string_view typed) const {
    return m_impl->resolve_command(typed);
}
void Session::add_command(Command command) { m_impl->add_command(std::move(command)); }
const Command* Session::find_command(std::string_view name) const {
    return m_impl->find_command(name);
}
std::vector<const Command*> Session::commands() const { return m_impl->commands(); }
void Session::add_function(Function function) { m_impl->add_function(std::move(function)); }
const Function* Session::find_function(std::string_view name) const {
    return m_impl->find_function(name);
}
std::vector<std::string> Session::function_names() const { return m_impl->function_names(); }
std::vector<std::string> Session::completions(std::string_view prefix) const {
    return m_impl->completions(prefix);
}
std::string Session::node_name(NodeId id) const { return m_impl->node_name(id); }
std::optional<NodeOrigin> Session::origin(NodeId id) const { return m_impl->origin(id); }
void Session::backward(NodeId root) { m_impl->backward(root); }
void Session::set_more(std::optional<MoreRows> rows) { m_impl->m_more = std::move(rows); }
MoreRows* Session::more() noexcept { return m_impl->m_more ? &*m_impl->m_more : nullptr; }
std::span<const NodeId> Session::ancestors(NodeId root) {
    return m_impl->m_walk.of(m_impl->m_graph, root);
}
void Session::warn(std::string_view message, std::optional<SourceSpan> span) {
    m_impl->warn(message, span);
}
TranscriptView Session::transcript() const noexcept {
    return {m_impl->m_transcript.text(), m_impl->m_transcript.size()};
}
void Session::replay_as(std::string statement) { m_impl->m_replay = std::move(statement); }

// --- describing nodes -----------------------------------------------------------------------

std::string Session::Impl::node_name(NodeId id) const {
    const std::string_view label = m_graph.label(id);
    return label.empty() ? fmt::format("#{}", id) : std::string(label);
}

std::optional<NodeOrigin> Session::Impl::origin(NodeId id) const {
    if (id >= m_origins.size() || m_origins[id].source == no_node) return std::nullopt;
    const Origin& o = m_origins[id];
    return NodeOrigin{m_source_names[o.source], o.line, o.column};
}

void Session::Impl::set_origin(NodeId id, Origin origin) {
    m_origins.grow_to(std::max<std::size_t>(id + 1, m_graph.size()), Origin{});
    m_origins[id] = origin;
}

std::uint32_t Session::Impl::source_index(std::string_view name) {
    for (std::size_t i = 0; i < m_source_names.size(); ++i)
        if (m_source_names[i] == name) return static_cast<std::uint32_t>(i);
    m_source_names.emplace_back(name);
    return static_cast<std::uint32_t>(m_source_names.size() - 1);
}

void Session::Impl::report(const Frame& frame, Severity severity, std::string_view message,
                           const std::optional<SourceSpan>& span, const ErrorDetail* detail) {
    if (severity == Severity::Error) ++m_error_count;
    m_output->report(Diagnostic{severity, frame.name, frame.text, message, span, detail});
}

void Session::Impl::warn(std::string_view message, std::optional<SourceSpan> span) {
    if (m_frames.empty()) {
        m_output->report(Diagnostic{Severity::Warning, "mgrad", "", message, {}});
        return;
    }
    report(m_frames.back(), Severity::Warning, message, span);
}

std::string format_node(Session& session, NodeId id) {
    Graph& g = session.graph();
    return fmt::format("{} = {}  (grad {})", session.node_name(id), format_number(g.data(id)),
                       format_number(g.grad(id)));
}
}  // namespace mgrad
