// Session: running statements against a graph, bindings and versions, the command table.
#include "mgrad/language/session.hpp"

#include "session_impl.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/mman.h>  // madvise
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <new>
#include <sstream>

#include "mgrad/support/number.hpp"

namespace mgrad {

namespace {

std::uint32_t u32(std::size_t n) { return static_cast<std::uint32_t>(n); }

struct LoadingGuard {  // pops the file run_file pushed, however run() ends
    std::vector<std::pair<std::string, std::string>>* loading = nullptr;
    ~LoadingGuard() {
        if (loading) loading->pop_back();
    }
};

bool is_builtin_function(std::string_view name) {
    // Asked for every assignment's target and every call: a table of the functions' first
    // letters answers most names (x1, loss …) without comparing them with every op's name.
    static constexpr auto first_letters = [] {
        std::array<bool, 256> letters{};
        for (std::size_t i = 0; i < op_count; ++i) {
            const OpInfo& info = op_info(static_cast<Op>(i));
            if (info.kind == OpKind::Function && !info.name.empty())
                letters[static_cast<unsigned char>(info.name.front())] = true;
        }
        return letters;
    }();
    if (name.empty() || !first_letters[static_cast<unsigned char>(name.front())]) return false;
    const auto op = op_from_name(name);
    return op && op_info(*op).kind == OpKind::Function;
}

std::size_t builtin_arity(std::string_view name) { return name == "pow" ? 2 : 1; }

Op binary_op(TokenKind kind) {
    switch (kind) {
        case TokenKind::Plus:
        case TokenKind::PlusAssign: return Op::Add;
        case TokenKind::Minus:
        case TokenKind::MinusAssign: return Op::Sub;
        case TokenKind::Star:
        case TokenKind::StarAssign: return Op::Mul;
        case TokenKind::Slash:
        case TokenKind::SlashAssign: return Op::Div;
        default: return Op::Pow;
    }
}

// Why an op produced NaN or inf from finite inputs, in words a learner recognises.
std::string runtime_problem(Op op, double x, double y, double r) {
    const std::string xs = format_number(x), ys = format_number(y), rs = format_number(r);
    switch (op) {
        case Op::Div:
            if (y == 0) return fmt::format("division by zero: {} / {} = {}", xs, ys, rs);
            return fmt::format("division overflows: {} / {} = {}", xs, ys, rs);
        case Op::Log:
            if (x <= 0) return fmt::format("log of a non-positive number: log({}) = {}", xs, rs);
            break;
        case Op::Sqrt:
            if (x < 0)
                return fmt::format("square root of a negative number: sqrt({}) = {}", xs, rs);
            break;
        case Op::Pow:
        case Op::PowConst:
            if (x < 0 && std::trunc(y) != y)
                return fmt::format("a negative number to a fractional power: {} ** {} = {}", xs, ys,
                                   rs);
            if (x == 0 && y < 0)
                return fmt::format("zero to a negative power: {} ** {} = {}", xs, ys, rs);
            return fmt::format("power overflows: {} ** {} = {}", xs, ys, rs);
        case Op::Exp: return fmt::format("exp overflows: exp({}) = {}", xs, rs);
        default: break;
    }
    const OpInfo& info = op_info(op);
    if (info.arity == 2 && info.kind == OpKind::Binary)
        return fmt::format("'{}' produces {}: {} {} {} = {}", info.symbol, rs, xs, info.symbol, ys,
                           rs);
    return fmt::format("{}({}) = {}", info.symbol, xs, rs);
}

}  // namespace

Session::Session(Output& output, SessionOptions options)
    : m_impl(std::make_unique<Impl>(*this, output, options)) {}

Session::~Session() = default;

// --- the interface, forwarded to Impl --------------------------------------------------------

Graph& Session::graph() noexcept { return m_impl->m_graph; }
const Graph& Session::graph() const noexcept { return m_impl->m_graph; }
Output& Session::output() noexcept { return *m_impl->m_output; }
SessionOptions& Session::options() noexcept { return m_impl->m_options; }
bool Session::run(std::string_view source_name, std::string_view text, std::uint32_t first_line) {
    return m_impl->run(source_name, text, first_line);
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
void Session::set_progress_hook(std::function<void()> hook) { m_impl->m_progress = std::move(hook); }
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

// --- bindings -----------------------------------------------------------------------------

namespace detail {

std::uint32_t NameIndex::hash_of(std::string_view name) noexcept {
    // FNV-1a: names are short, and this beats std::hash's general-purpose mixing for them.
    std::uint32_t h = 2166136261u;
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

std::uint32_t NameIndex::find(std::string_view name,
                              const std::deque<std::string>& names) const noexcept {
    if (m_slots.empty()) return npos;
    const std::uint32_t h = hash_of(name);
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        const Slot& slot = m_slots[i];
        if (slot.position == npos) return npos;
        if (slot.hash == h && names[slot.position] == name) return slot.position;
    }
}

void NameIndex::insert(std::string_view name, std::uint32_t position) {
    if (2 * (m_count + 1) > m_slots.size()) grow();
    const std::uint32_t h = hash_of(name);
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = h & mask;
    while (m_slots[i].position != npos)
        i = (i + 1) & mask;
    m_slots[i] = Slot{h, position};
    ++m_count;
}

template <class T>
T* HugePageAllocator<T>::allocate(std::size_t n) {
    constexpr std::size_t huge = std::size_t{2} << 20u;
    const std::size_t bytes = n * sizeof(T);
    if (bytes < huge) {
        void* p = std::malloc(bytes);
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    const std::size_t rounded = (bytes + huge - 1) / huge * huge;
    void* p = std::aligned_alloc(huge, rounded);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    // Advice only: where transparent huge pages are off, the table simply gets small pages.
    (void)::madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
}

void NameIndex::grow() {
    std::vector<Slot, HugePageAllocator<Slot>> old(m_slots.empty() ? 64 : 2 * m_slots.size());
    old.swap(m_slots);
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& slot : old) {
        if (slot.position == npos) continue;
        std::size_t i = slot.hash & mask;
        while (m_slots[i].position != npos)
            i = (i + 1) & mask;
        m_slots[i] = slot;
    }
}

void NameIndex::clear() noexcept {
    m_slots.clear();
    m_count = 0;
}

}  // namespace detail

std::optional<NodeId> Session::Impl::lookup(std::string_view name) const {
    const std::uint32_t position = m_name_index.find(name, m_order);
    if (position == detail::NameIndex::npos) return std::nullopt;
    return m_bindings[position].node;
}

NodeId Session::Impl::require(std::string_view name, std::optional<SourceSpan> span) const {
    if (auto id = lookup(name)) return *id;
    std::string message;
    if (const auto k = constant(name))
        message = fmt::format(
            "'{}' is a constant ({}), not a node: it has no .data, .grad or "
            "gradient",
            name, format_number(*k));
    else if (is_builtin_function(name) || find_function(name) || m_user_functions.contains(name))
        message = fmt::format("'{}' is a function, not a node; call it as {}(…)", name, name);
    else if (m_order.empty())
        message =
            fmt::format("undefined name '{}' (nothing is defined yet; try '{} = 2')", name, name);
    else
        message = fmt::format(
            "undefined name '{}'{}", name,
            did_you_mean(name, std::vector<std::string>(m_order.begin(), m_order.end())));
    if (span) throw Error(message, *span);
    throw Error(message);
}

void Session::Impl::bind(std::string_view name, NodeId id) {
    m_graph.check_id(id);
    std::uint32_t position = m_name_index.find(name, m_order);
    if (position == detail::NameIndex::npos) {
        if (m_order.size() >= detail::NameIndex::npos) throw Error("too many names");
        position = static_cast<std::uint32_t>(m_order.size());
        m_order.emplace_back(name);
        try {
            m_bindings.push_back(Binding{});
            m_name_index.insert(name, position);
        } catch (...) {  // out of memory: leave the three in step
            if (m_bindings.size() == m_order.size()) m_bindings.pop_back();
            m_order.pop_back();
            throw;
        }
    }
    Binding& binding = m_bindings[position];
    if (m_graph.label(id).empty()) {
        const std::uint32_t version = ++binding.version;
        if (version == 1) {
            m_graph.set_label(id, name);
        } else {
            fmt::memory_buffer label;  // on the stack: no allocation for a usual name
            fmt::format_to(std::back_inserter(label), "{}#{}", name, version);
            m_graph.set_label(id, std::string_view(label.data(), label.size()));
        }
    }
    binding.node = id;
}

void Session::Impl::reset() {
    m_graph.clear();
    m_more.reset();
    m_grad_nodes.clear();
    m_grads_known = false;
    m_bindings.clear();
    m_order.clear();
    m_name_index.clear();
    m_origins.clear();
    m_transcript.clear();
    m_constants.clear();
    m_constant_index.clear();
    m_user_functions.clear();
}

std::optional<double> Session::Impl::constant(std::string_view name) const {
    if (m_constant_index.empty()) return std::nullopt;  // the usual case: no lookup at all
    const auto it = m_constant_index.find(name);
    if (it == m_constant_index.end()) return std::nullopt;
    return m_constants[it->second].value;
}

std::vector<const UserFunction*> Session::Impl::user_functions() const {
    // Callees first (depth first over the calls; definitions never form a cycle).
    std::vector<const UserFunction*> out;
    std::vector<std::string_view> done;
    auto visit = [&](auto&& self_, const FunctionDef& f) -> void {
        if (std::find(done.begin(), done.end(), f.info.name) != done.end()) return;
        done.push_back(f.info.name);
        for (const auto& callee : f.info.calls)
            if (const auto it = m_user_functions.find(callee); it != m_user_functions.end())
                self_(self_, *it->second);
        out.push_back(&f.info);
    };
    for (const auto& [name, f] : m_user_functions)
        visit(visit, *f);
    return out;
}

// --- commands and functions -----------------------------------------------------------------

void Session::Impl::add_command(Command command) {
    std::string name = command.name;
    m_commands.insert_or_assign(std::move(name), std::move(command));
}

const Command* Session::Impl::find_command(std::string_view name) const {
    auto it = m_commands.find(name);
    return it == m_commands.end() ? nullptr : &it->second;
}

const Command& Session::Impl::resolve_command(std::string_view typed) const {
    if (const Command* c = find_command(typed)) return *c;
    // GHCi's and Python's short forms, then any prefix that only one command has.
    static constexpr std::pair<std::string_view, std::string_view> aliases[] = {
        {"q", "quit"}, {"exit", "quit"}, {"h", "help"}, {"?", "help"}};
    for (const auto& [alias, name] : aliases)
        if (typed == alias)
            if (const Command* c = find_command(name)) return *c;
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
                           const std::optional<SourceSpan>& span) {
    if (severity == Severity::Error) ++m_error_count;
    m_output->report(Diagnostic{severity, frame.name, frame.text, message, span});
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

// --- running --------------------------------------------------------------------------------

bool Session::Impl::run(std::string_view source_name, std::string_view text,
                        std::uint32_t first_line) {
    // A copy: a nested :load pushes onto m_frames and may move its elements.
    const Frame frame{std::string(source_name), text, source_index(source_name)};
    m_frames.push_back(frame);
    struct Pop {
        std::vector<Frame>& frames;
        ~Pop() { frames.pop_back(); }
    } pop{m_frames};
    const std::size_t errors_before = m_error_count;
    m_transcript.reserve_more(text.size());
    Parser parser(text, first_line);
    std::size_t echoed_to = 0;
    // One statement reused for the whole text: its vectors keep their memory.
    Statement statement;
    const Statement* s = &statement;
    while (!m_quit) {
        try {
            if (!parser.next(statement)) break;
        } catch (const Error& e) {
            report(frame, Severity::Error, e.what(), e.span());
            if (!m_options.keep_going) break;
            parser.recover();
            continue;
        }
        if (interrupted()) {
            report(frame, Severity::Error, "interrupted", s->span);
            break;
        }
        if (m_options.echo) echo(text, echoed_to, *s);
        const bool ok = execute_reporting(*s, frame);
        progress();  // a live view follows the session
        if (!ok && !m_options.keep_going) break;
    }
    return m_error_count == errors_before;
}

bool Session::Impl::execute_reporting(const Statement& s, const Frame& frame) {
    const std::size_t before = m_error_count;
    try {
        execute(s, frame);
    } catch (const Error& e) {
        report(frame, Severity::Error, e.what(), e.span());
    } catch (const std::bad_alloc&) {
        report(frame, Severity::Error, "out of memory", s.span);
    } catch (const std::exception& e) {
        report(frame, Severity::Error, fmt::format("internal error: {}", e.what()), s.span);
    }
    return m_error_count == before;
}

namespace {

/// Reads a whole script, refusing one larger than max_script_size (`:load /dev/zero` would
/// otherwise take every byte of memory).
std::string read_script(std::istream& in, std::string_view name, std::size_t expected_size = 0) {
    std::string text;
    // Reading into the right size at once spares the copies (and page faults) of a doubling
    // string; a size that turns out wrong (a file still being written) only costs those again.
    if (expected_size <= max_script_size) text.reserve(expected_size);
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_script_size)
            throw Error(fmt::format("cannot read '{}': it is larger than {} MiB", name,
                                    max_script_size >> 20u));
    }
    return text;
}

}  // namespace

std::string Session::Impl::read_file(const std::string& path) const {
    // Not blocking on open: a pipe with no writer yet would hang there, beyond Ctrl-C's reach.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw Error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
    struct Close {
        int fd;
        ~Close() { ::close(fd); }
    } close_it{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    if (S_ISDIR(st.st_mode)) throw Error(fmt::format("cannot read '{}': it is a directory", path));
    const auto too_large = [&] {
        return Error(fmt::format("cannot read '{}': it is larger than {} MiB", path,
                                 max_script_size >> 20u));
    };
    const bool regular = S_ISREG(st.st_mode);
    // A file too large is refused by its size, before a byte of it is read.
    if (regular && static_cast<std::uintmax_t>(st.st_size) > max_script_size) throw too_large();
    std::string text;
    if (regular) text.reserve(static_cast<std::size_t>(st.st_size));
    // A pipe, a terminal or a device is read as it comes, waiting at most a tenth of a second
    // at a time so that Ctrl-C (or another front end's interrupt) is noticed.
    std::vector<char> buffer(std::size_t{1} << 16u);
    for (;;) {
        if (!regular) {
            if (interrupted()) throw Error(fmt::format("interrupted while reading '{}'", path));
            pollfd p{fd, POLLIN, 0};
            const int ready = ::poll(&p, 1, 100);
            if (ready < 0 && errno != EINTR)
                throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
            if (ready <= 0) continue;
        }
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw Error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
        }
        if (text.size() + static_cast<std::size_t>(n) > max_script_size) throw too_large();
        text.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return text;
}

bool Session::Impl::run_file(const std::string& path) {
    if (path == "-") return run("<stdin>", read_script(std::cin, "<stdin>"));
    std::error_code ec;
    std::string key = std::filesystem::weakly_canonical(path, ec).string();
    if (ec) key = path;
    const auto seen = std::find_if(m_loading.begin(), m_loading.end(),
                                   [&](const auto& l) { return l.first == key; });
    if (seen != m_loading.end()) {
        if (seen + 1 == m_loading.end())
            throw Error(fmt::format("':load' cycle: {} loads itself", path));
        std::string chain;
        for (auto it = seen; it != m_loading.end(); ++it)
            chain += fmt::format("{} → ", it->second);
        throw Error(fmt::format("':load' cycle: {}{}", chain, path));
    }
    if (m_loading.size() >= max_load_depth)
        throw Error(
            fmt::format("':load' is nested too deeply (the limit is {} files)", max_load_depth));
    std::string text = read_file(path);
    m_loading.emplace_back(key, path);
    LoadingGuard guard{&m_loading};
    return run(path, text);
}

namespace {

/// A word as a command line shows it: as it is when the parser would read it back unchanged,
/// else quoted. Control characters (refused in words) are shown escaped so that a diagnostic
/// stays on one line.
std::string show_word(std::string_view word) {
    const bool plain = !word.empty() && word.front() != '"' && word.front() != '#' &&
                       word.find_first_of(" \t\r;") == std::string_view::npos &&
                       std::none_of(word.begin(), word.end(), [](char c) {
                           return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
                       });
    if (plain) return std::string(word);
    std::string out = "\"";
    for (char c : word) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            out += fmt::format("\\x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
            out += c;
    }
    return out + '"';
}

}  // namespace

bool Session::Impl::run_command(std::string_view name, const std::vector<std::string>& args) {
    // The words go to the command as they are, never through the parser: a newline, a quote or
    // a `;` in a name from the command line is part of the name, not more script. The text made
    // here only shows where a word is in a diagnostic, and is what `:save` writes (it reads back
    // as the same words: words with control characters are refused).
    std::string text = fmt::format(":{}", name);
    Statement s;
    s.kind = StatementKind::Command;
    s.words.reserve(args.size());
    for (const std::string& a : args) {
        text += ' ';
        const std::size_t begin = text.size();
        text += show_word(a);
        s.words.push_back(
            Word{a, SourceSpan{u32(begin), u32(text.size() - begin), 1, u32(begin + 1)}});
    }
    const Frame frame{"<command line>", text, source_index("<command line>")};
    m_frames.push_back(frame);
    struct Pop {
        std::vector<Frame>& frames;
        ~Pop() { frames.pop_back(); }
    } pop{m_frames};
    s.span = SourceSpan{0, u32(text.size()), 1, 1};
    s.command = std::string_view(text).substr(1, name.size());
    s.command_span = SourceSpan{0, u32(name.size() + 1), 1, 1};
    for (const Word& w : s.words) {
        const auto bad = std::find_if(w.text.begin(), w.text.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
        });
        if (bad != w.text.end()) {
            // As the parser refuses them in a script: a NUL would cut a file name short, and a
            // newline would make :save write two lines.
            report(frame, Severity::Error,
                   fmt::format("a command word cannot hold the control character U+{:04X}",
                               static_cast<unsigned>(static_cast<unsigned char>(*bad))),
                   w.span);
            return false;
        }
    }
    if (m_options.echo) {
        std::size_t echoed_to = 0;
        echo(text, echoed_to, s);
    }
    return execute_reporting(s, frame);
}

void Session::Impl::echo(std::string_view text, std::size_t& echoed_to, const Statement& s) {
    // Comment lines and blank lines between statements are shown as they are, so a commented
    // script reads as a transcript; the statement itself gets the REPL's prompts.
    std::string out;
    const std::string_view gap = text.substr(echoed_to, s.span.offset - echoed_to);
    std::size_t pos = 0;
    bool first_piece = true;
    bool last_blank = echoed_to == 0;
    while (pos <= gap.size()) {
        const std::size_t nl = gap.find('\n', pos);
        if (nl == std::string_view::npos) break;  // the start of the statement's own line
        std::string_view line = gap.substr(pos, nl - pos);
        pos = nl + 1;
        const bool rest_of_previous = first_piece && echoed_to > 0;
        first_piece = false;
        if (rest_of_previous) continue;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) {
            if (!last_blank) out += '\n';
            last_blank = true;
        } else if (line.front() == '#') {
            out += fmt::format("{}\n", line);
            last_blank = false;
        }
    }
    std::string_view body = text.substr(s.span.offset, s.span.length);
    std::string_view prompt = ">>> ";
    for (;;) {
        const std::size_t nl = body.find('\n');
        out += fmt::format("{}{}\n", prompt, body.substr(0, nl));
        if (nl == std::string_view::npos) break;
        body.remove_prefix(nl + 1);
        prompt = "... ";
    }
    echoed_to = s.span.offset + s.span.length;
    m_output->text(out);
}

// --- executing statements -------------------------------------------------------------------

namespace {

// What to type instead of a call that comes from Python or micrograd habits.
std::optional<std::string_view> habit_hint(std::string_view name) {
    static constexpr std::pair<std::string_view, std::string_view> hints[] = {
        {"print", "a bare expression prints its value: type the expression itself"},
        {"Value", "a number is a value already: 'a = 2.0' makes a leaf node"},
        {"draw_dot", "':draw L' draws L's graph to L.svg (or ':draw L FILE')"},
        {"zero_grad", "':backward L' sets every gradient to zero before it backpropagates"},
        {"item", "x.data is x's number"},
        {"Neuron", "networks are built in C++ or by 'mgrad train' (see docs/nn.md)"},
        {"Layer", "networks are built in C++ or by 'mgrad train' (see docs/nn.md)"},
        {"MLP", "networks are built in C++ or by 'mgrad train' (see docs/nn.md)"},
    };
    for (const auto& [habit, hint] : hints)
        if (name == habit) return hint;
    return std::nullopt;
}

}  // namespace

void Session::Impl::unknown_function(const Expr& e) const {
    const std::string what =
        e.method ? fmt::format("method '.{}()'", e.name) : fmt::format("function '{}'", e.name);
    if (e.name == "backward")
        throw Error(
            "backward() is a statement of its own, not a value: L.backward() (or "
            ":backward L)",
            e.op_span);
    if (const auto hint = habit_hint(e.name))
        throw Error(fmt::format("mgrad has no {}: {}", what, *hint), e.op_span);
    if (!e.method && lookup(e.name))
        throw Error(fmt::format("'{}' is a node, not a function", e.name), e.op_span);
    if (const auto k = constant(e.name); k && !e.method)
        throw Error(
            fmt::format("'{}' is a constant ({}), not a function", e.name, format_number(*k)),
            e.op_span);
    throw Error(fmt::format("unknown {}{}", what, did_you_mean(e.name, function_names())),
                e.op_span);
}

bool Session::Impl::returns_node(const FunctionDef& f) const {
    if (f.uses_globals) return true;
    for (const auto& callee : f.info.calls)
        if (const auto it = m_user_functions.find(callee);
            it != m_user_functions.end() && returns_node(*it->second))
            return true;
    return false;
}

bool Session::Impl::calls(const FunctionDef& f, std::string_view name,
                          std::vector<std::string>& path) const {
    for (const auto& callee : f.info.calls) {
        if (callee == name) {
            path.push_back(callee);
            return true;
        }
        const auto it = m_user_functions.find(callee);
        if (it == m_user_functions.end()) continue;
        path.push_back(callee);
        if (calls(*it->second, name, path)) return true;
        path.pop_back();
    }
    return false;
}

void Session::Impl::check_names(const Statement& s, std::vector<Operand>& names,
                                const Locals* locals) {
    // A static pass before any node is made, so a statement with an error leaves the graph
    // exactly as it was.
    std::vector<bool>& is_node = m_is_node;  // kept between statements for its memory
    is_node.assign(s.exprs.size(), false);
    for (std::size_t i = 0; i < s.exprs.size(); ++i) {
        const Expr& e = s.exprs[i];
        switch (e.kind) {
            case ExprKind::Number: break;
            case ExprKind::Name:  // evaluate() takes it from here
                if (const Operand* local = locals ? locals->find(e.name) : nullptr) {
                    names[i] = *local;
                    is_node[i] = std::holds_alternative<NodeId>(*local);
                } else if (const auto k = constant(e.name)) {
                    names[i] = *k;  // folds in like a literal
                } else {
                    names[i] = require(e.name, e.span);
                    is_node[i] = true;
                }
                break;
            case ExprKind::Unary: is_node[i] = is_node[e.lhs]; break;
            case ExprKind::Binary: is_node[i] = is_node[e.lhs] || is_node[e.rhs]; break;
            case ExprKind::Field:
                if (!is_node[e.lhs]) {
                    const Expr& operand = s.exprs[e.lhs];
                    if (operand.kind == ExprKind::Name && constant(operand.name))
                        throw Error(fmt::format("'{}' is a constant, a plain number: it has no "
                                                ".{} (write {} for its value)",
                                                operand.name, e.name, operand.name),
                                    e.span);
                    throw Error(
                        fmt::format("'.{}' needs a node, but this is a plain number", e.name),
                        operand.span);
                }
                is_node[i] = false;
                break;
            case ExprKind::Call: {
                std::size_t arity = 0;
                bool any_node = false;
                for (std::uint32_t k = 0; k < e.arg_count; ++k)
                    any_node = any_node || is_node[s.args[e.first_arg + k]];
                if (is_builtin_function(e.name)) {
                    arity = builtin_arity(e.name);
                    is_node[i] = any_node;
                } else if (const auto uf = m_user_functions.find(e.name);
                           uf != m_user_functions.end()) {
                    arity = uf->second->info.params.size();
                    is_node[i] = any_node || returns_node(*uf->second);
                } else if (const Function* f = find_function(e.name)) {
                    arity = f->arity;
                    is_node[i] = true;
                } else {
                    unknown_function(e);
                }
                if (e.arg_count != arity) {
                    if (e.method && arity == 1)
                        throw Error(
                            fmt::format("x.{}() takes no arguments: it is {}(x)", e.name, e.name),
                            e.span);
                    if (e.method)
                        throw Error(fmt::format("x.{}() is {}(x, …): it takes {} argument{}, "
                                                "not {}",
                                                e.name, e.name, arity - 1, arity == 2 ? "" : "s",
                                                e.arg_count - 1),
                                    e.span);
                    throw Error(fmt::format("{}() takes {} argument{}, not {}", e.name, arity,
                                            arity == 1 ? "" : "s", e.arg_count),
                                e.span);
                }
                break;
            }
        }
    }
}

NodeId Session::Impl::to_node(const Operand& v) {
    if (const auto* id = std::get_if<NodeId>(&v)) return *id;
    return m_graph.constant(std::get<double>(v));
}

Operand Session::Impl::apply_op(Op op, const Operand& x, const Operand& y, const Expr& e) {
    // Inside a defined function, problems are reported at its call.
    const SourceSpan& span = m_call_span ? *m_call_span : e.span;
    check_node_cap(2, span);
    auto value = [this](const Operand& v) {
        if (const auto* id = std::get_if<NodeId>(&v)) return m_graph.data(*id);
        return std::get<double>(v);
    };
    const double xv = value(x);
    const double yv = op_info(op).arity == 2 || op == Op::Pow ? value(y) : 0.0;
    Operand result;
    const bool x_node = std::holds_alternative<NodeId>(x);
    const bool y_node = std::holds_alternative<NodeId>(y);
    if (!x_node && !y_node) {
        result = detail::apply(op, xv, yv);
    } else if (op == Op::Pow && !y_node) {
        result = m_graph.pow_const(std::get<NodeId>(x), yv);
        op = Op::PowConst;
    } else if (op_info(op).arity == 1) {
        result = m_graph.unary(op, to_node(x));
    } else {
        const NodeId a = to_node(x);
        const NodeId b = to_node(y);
        result = m_graph.binary(op, a, b);
    }
    const double r = value(result);
    if (!std::isfinite(r) && std::isfinite(xv) && std::isfinite(yv)) {
        const auto* id = std::get_if<NodeId>(&result);
        m_pending.push_back({runtime_problem(op, xv, yv, r), span, id ? *id : no_node});
    }
    return result;
}

void Session::Impl::check_node_cap(std::size_t more, const SourceSpan& span) const {
    const std::size_t cap = m_options.max_nodes;
    if (cap == 0 || m_graph.size() + more <= cap) return;
    throw Error(fmt::format("the graph has {} node{}; this could take it past the limit of {} "
                            "(':reset' starts afresh; the mgrad option --max-nodes sets the "
                            "limit)",
                            m_graph.size(), m_graph.size() == 1 ? "" : "s", cap),
                span);
}

Operand Session::Impl::call_user(const FunctionDef& f, std::span<const Operand> args,
                                 const Expr& call, const Frame& frame) {
    if (interrupted()) throw Error("interrupted", call.span);
    // Definitions cannot recurse; this only bounds a long chain of functions calling others.
    constexpr std::size_t max_call_depth = 256;
    if (m_call_depth >= max_call_depth)
        throw Error(
            fmt::format("defined functions call each other more than {} deep", max_call_depth),
            call.span);
    struct Depth {
        Impl& impl;
        bool outermost;
        Depth(Impl& i, const SourceSpan& span) : impl(i), outermost(i.m_call_depth == 0) {
            ++impl.m_call_depth;
            if (outermost) impl.m_call_span = span;
        }
        Depth(const Depth&) = delete;
        Depth& operator=(const Depth&) = delete;
        ~Depth() {
            --impl.m_call_depth;
            if (outermost) impl.m_call_span.reset();
        }
    } depth{*this, call.span};
    const Locals locals{f.info.params, args};
    try {
        return evaluate(f.body, frame, &locals);
    } catch (const Error& e) {
        if (!depth.outermost) throw;
        throw Error(fmt::format("in {}(): {}", f.info.name, e.what()), call.span);
    }
}

Operand Session::Impl::evaluate(const Statement& s, const Frame& frame, const Locals* locals) {
    // Each expression makes at most two nodes (a constant operand and the op), an assignment
    // two more (a leaf, or `+=`'s constant and op). Refused before any is made, so the graph
    // stays as it was; functions that build graphs are checked again in apply_op.
    check_node_cap(2 * s.exprs.size() + 2, m_call_span ? *m_call_span : s.span);
    // Borrowed from the session for its memory and handed back however this ends; a function
    // called below that runs statements on this session again finds it empty, not in use.
    struct Borrow {
        std::vector<Operand>& home;
        std::vector<Operand> v;
        explicit Borrow(std::vector<Operand>& h) : home(h), v(std::move(h)) {}
        Borrow(const Borrow&) = delete;
        Borrow& operator=(const Borrow&) = delete;
        ~Borrow() { home = std::move(v); }
    } borrow{m_operands};
    std::vector<Operand>& v = borrow.v;
    v.assign(s.exprs.size(), Operand{});
    check_names(s, v, locals);
    NodeId mark = m_graph.size();
    auto record = [&](const Expr& e) {
        // Remember where each new node came from, for warnings and :vars. (A defined
        // function's nodes are recorded at its call, by the statement that called it.)
        const NodeId end = m_graph.size();
        if (mark == end || locals) return;
        m_origins.grow_to(end, Origin{});
        for (NodeId id = mark; id < end; ++id)
            m_origins[id] = Origin{frame.source_index, e.span.line, e.span.column};
        mark = end;
    };
    for (std::size_t i = 0; i < s.exprs.size(); ++i) {
        const Expr& e = s.exprs[i];
        switch (e.kind) {
            case ExprKind::Number: v[i] = e.number; break;
            case ExprKind::Name:  // looked up by check_names
                break;
            case ExprKind::Unary:
                v[i] = e.op == TokenKind::Minus ? apply_op(Op::Neg, v[e.lhs], 0.0, e) : v[e.lhs];
                break;
            case ExprKind::Binary: v[i] = apply_op(binary_op(e.op), v[e.lhs], v[e.rhs], e); break;
            case ExprKind::Field: {
                if (const auto* id = std::get_if<NodeId>(&v[e.lhs])) {
                    v[i] = e.name == "data" ? m_graph.data(*id) : m_graph.grad(*id);
                } else if (e.name == "data") {
                    v[i] = v[e.lhs];  // a defined function gave a plain number
                } else {
                    throw Error("'.grad' needs a node, but this is a plain number",
                                s.exprs[e.lhs].span);
                }
                break;
            }
            case ExprKind::Call: {
                if (is_builtin_function(e.name)) {
                    const Op op = *op_from_name(e.name);
                    const Operand x = v[s.args[e.first_arg]];
                    const Operand y = e.arg_count > 1 ? v[s.args[e.first_arg + 1]] : Operand{0.0};
                    v[i] = apply_op(op, x, y, e);
                } else {
                    std::vector<Operand> args;
                    for (std::uint32_t k = 0; k < e.arg_count; ++k)
                        args.push_back(v[s.args[e.first_arg + k]]);
                    if (const auto uf = m_user_functions.find(e.name);
                        uf != m_user_functions.end()) {
                        v[i] = call_user(*uf->second, args, e, frame);
                    } else {
                        const Function* f = find_function(e.name);
                        v[i] = f->call(self, args, m_call_span ? *m_call_span : e.span);
                    }
                }
                break;
            }
        }
        record(e);
    }
    return v[s.root];
}

Operand Session::Impl::evaluate_text(std::string_view expression) {
    Parser parser(expression);
    Statement s;
    if (!parser.next(s)) throw Error("expected an expression, found nothing");
    if (s.kind != StatementKind::Expression) throw Error("expected an expression", s.span);
    Statement extra;
    if (parser.next(extra)) throw Error("expected one expression", extra.span);
    const Frame frame{"<expression>", expression, source_index("<expression>")};
    m_graph.set_max_nodes(m_options.max_nodes);  // as for a statement: grad() honours it too
    m_pending.clear();
    const NodeId mark = m_graph.size();
    Operand v;
    try {
        v = evaluate(s, frame);
    } catch (const Error& e) {
        const bool at_cap = m_options.max_nodes != 0 && m_graph.size() >= m_options.max_nodes;
        rollback(mark);
        if (!at_cap) throw;
        throw cap_error(mark, e.span() ? *e.span() : s.span);
    } catch (...) {
        rollback(mark);
        throw;
    }
    m_pending.clear();  // the caller decides what a NaN means
    return v;
}

Error Session::Impl::cap_error(NodeId mark, const SourceSpan& span) const {
    return Error(fmt::format("the graph has {} node{}; this statement would take it past the "
                             "limit of {} (':reset' starts afresh; the mgrad option "
                             "--max-nodes sets the limit)",
                             mark, mark == 1 ? "" : "s", m_options.max_nodes),
                 span);
}

void Session::Impl::check_name_free(std::string_view name, const SourceSpan& span,
                                    bool for_constant, bool for_function) const {
    if (name == "const")
        throw Error("'const' is a keyword: 'const NAME = NUMBER' binds a constant", span);
    if (is_builtin_function(name) || find_function(name))
        throw Error(fmt::format("cannot define '{}': it is the name of a built-in function", name),
                    span);
    const std::string_view what = for_constant ? "a constant" : "a function";
    if (lookup(name))
        throw Error(fmt::format("'{}' is bound to a node; {} needs a name of its own", name, what),
                    span);
    if (for_function && constant(name))
        throw Error(fmt::format("'{}' is a constant; a function needs a name of its own", name),
                    span);
    if (for_constant && m_user_functions.contains(name))
        throw Error(fmt::format("'{}' is a function; a constant needs a name of its own", name),
                    span);
}

void Session::Impl::define_constant(const Statement& s, const Frame& frame) {
    check_name_free(s.target, s.target_span, true, false);
    // Checked before anything is built: a constant is a plain number, never a node.
    std::vector<Operand> scratch(s.exprs.size());
    check_names(s, scratch, nullptr);
    if (m_is_node[s.root])
        throw Error(fmt::format("a constant is a plain number, but this is a node (x.data is a "
                                "node's number; '{} = …' without 'const' binds a node)",
                                s.target),
                    s.exprs[s.root].span);
    const double value = std::get<double>(evaluate(s, frame));
    NamedConstant k{std::string(s.target), value, frame.name, s.span.line};
    if (const auto it = m_constant_index.find(s.target); it != m_constant_index.end()) {
        m_constants[it->second] = std::move(k);
        return;
    }
    m_constant_index.emplace(std::string(s.target), m_constants.size());
    m_constants.push_back(std::move(k));
}

void Session::Impl::define_function(const Statement& s, const Frame& frame) {
    const std::string_view name = s.target;
    check_name_free(name, s.target_span, false, true);
    auto def = std::make_unique<FunctionDef>();
    def->info.name = name;
    for (const Word& p : s.params) {
        if (is_builtin_function(p.text) || find_function(p.text))
            throw Error(fmt::format("parameter '{}' has the name of a built-in function", p.text),
                        p.span);
        def->info.params.push_back(p.text);
    }
    // The body is checked now, so that a mistake shows at the definition, not at a call.
    for (const Expr& e : s.exprs) {
        if (e.kind == ExprKind::Name) {
            if (std::find(def->info.params.begin(), def->info.params.end(), e.name) !=
                    def->info.params.end() ||
                constant(e.name))
                continue;
            if (!lookup(e.name)) {
                std::vector<std::string> known(def->info.params);
                known.insert(known.end(), m_order.begin(), m_order.end());
                std::string params;
                for (std::size_t i = 0; i < def->info.params.size(); ++i)
                    params += fmt::format("{}{}", i ? ", " : "", def->info.params[i]);
                throw Error(
                    fmt::format("undefined name '{}' in the body of {}(){}{}", e.name, name,
                                did_you_mean(e.name, known),
                                params.empty() ? std::string(" (it has no parameters)")
                                               : fmt::format(" (its parameters: {})", params)),
                    e.span);
            }
            def->uses_globals = true;
        } else if (e.kind == ExprKind::Call) {
            std::size_t arity = 0;
            if (is_builtin_function(e.name)) {
                arity = builtin_arity(e.name);
            } else if (e.name == name) {
                throw Error(fmt::format("{}() calls itself: a function cannot be recursive here "
                                        "(its call would never end); write the steps out",
                                        name),
                            e.op_span);
            } else if (const auto uf = m_user_functions.find(e.name);
                       uf != m_user_functions.end()) {
                arity = uf->second->info.params.size();
                std::vector<std::string> path;
                if (calls(*uf->second, name, path)) {
                    std::string chain = fmt::format("{} → {}", name, e.name);
                    for (const auto& step : path)
                        chain += fmt::format(" → {}", step);
                    throw Error(fmt::format("{}() would call itself ({}): a function cannot be "
                                            "recursive here",
                                            name, chain),
                                e.op_span);
                }
                if (std::find(def->info.calls.begin(), def->info.calls.end(), e.name) ==
                    def->info.calls.end())
                    def->info.calls.emplace_back(e.name);
            } else if (const Function* f = find_function(e.name)) {
                arity = f->arity;
                def->uses_globals = true;  // grad(f, x) and the like make nodes
            } else {
                unknown_function(e);
            }
            if (e.arg_count != arity)
                throw Error(fmt::format("{}() takes {} argument{}, not {}", e.name, arity,
                                        arity == 1 ? "" : "s", e.arg_count),
                            e.span);
        }
    }
    const SourceSpan body_span = s.exprs[s.root].span;
    def->text =
        std::make_unique<std::string>(frame.text.substr(body_span.offset, body_span.length));
    def->info.body = *def->text;
    def->info.source = frame.name;
    def->info.line = s.span.line;
    Parser parser(*def->text);
    Statement extra;
    if (!parser.next(def->body) || def->body.kind != StatementKind::Expression ||
        parser.next(extra))
        throw Error(fmt::format("the body of {}() must be one expression", name), body_span);
    m_user_functions.insert_or_assign(std::string(name), std::move(def));
}

bool Session::Impl::execute_habit(const Statement& s, const Frame&) {
    // `quit`, `exit` and `help` (or `help(tanh)`) as Python's REPL takes them, unless the
    // name means something else in this session.
    if (s.kind != StatementKind::Expression) return false;
    const Expr& root = s.exprs[s.root];
    const Expr* arg = nullptr;
    if (root.kind == ExprKind::Call) {
        if (root.method || root.arg_count > 1) return false;
        if (root.arg_count == 1) arg = &s.exprs[s.args[root.first_arg]];
    } else if (root.kind != ExprKind::Name) {
        return false;
    }
    const std::string_view word = root.name;
    if (word != "quit" && word != "exit" && word != "help") return false;
    if (lookup(word) || constant(word) || m_user_functions.contains(word)) return false;
    if (word != "help") {
        if (arg) return false;
        m_quit = true;
        return true;
    }
    const Command* help = find_command("help");
    if (!help || (arg && arg->kind != ExprKind::Name)) return false;
    std::vector<Word> words;
    if (arg) {
        // As in Python, help(X) is about the object X: `help(grad)` is the function grad(f, x),
        // not the command :grad (`:help grad` still means the command).
        std::string topic(arg->name);
        const auto op = op_from_name(topic);
        if (find_function(topic) || m_user_functions.contains(topic) ||
            (op && op_info(*op).kind == OpKind::Function))
            topic += "()";
        words.push_back(Word{std::move(topic), arg->span});
    }
    help->handler(self, words, *m_output);
    return true;
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
        c->handler(self, s.words, *m_output);
    } catch (const Error& e) {
        // What the command did before failing, when it did not undo it.
        if (m_replay) m_transcript.append(*m_replay);
        if (e.span()) throw;
        // A handler's error without a place points at the command.
        throw Error(e.what(), s.command_span);
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

void Session::Impl::rollback(NodeId mark) {
    m_graph.truncate(mark);
    if (m_origins.size() > mark) m_origins.truncate(mark);
    m_pending.clear();
}

void Session::Impl::execute(const Statement& s, const Frame& frame) {
    const std::string_view text = frame.text.substr(s.span.offset, s.span.length);
    // The cap is the graph's own limit, so every way of making nodes honours it (grad() and
    // the commands too), checked before the memory for a node is taken.
    m_graph.set_max_nodes(m_options.max_nodes);
    if (s.kind == StatementKind::Command) {
        execute_command(s, frame);
        return;
    }
    m_more.reset();  // the rows left of a paged table describe the session before this
    if (execute_habit(s, frame)) return;
    // A statement either completes or leaves the graph as it found it.
    const NodeId mark = m_graph.size();
    try {
        execute_statement(s, frame, text);
    } catch (const Error& e) {
        const bool at_cap = m_options.max_nodes != 0 && m_graph.size() >= m_options.max_nodes;
        rollback(mark);
        if (!at_cap) throw;
        throw cap_error(mark, e.span() ? *e.span() : s.span);
    } catch (...) {
        rollback(mark);
        throw;
    }
}

void Session::Impl::execute_statement(const Statement& s, const Frame& frame,
                                      std::string_view text) {
    m_pending.clear();
    auto flush_warnings = [&] {
        std::vector<PendingWarning> pending;
        pending.swap(m_pending);
        for (const auto& w : pending) {
            std::string message = w.message;
            if (w.node != no_node && !m_graph.label(w.node).empty())
                message += fmt::format(" (in node '{}')", m_graph.label(w.node));
            report(frame, Severity::Warning, message, w.span);
        }
    };

    switch (s.kind) {
        case StatementKind::Expression: {
            const Operand v = evaluate(s, frame);
            flush_warnings();
            Result r;
            r.expression = text;
            if (const auto* id = std::get_if<NodeId>(&v)) {
                const std::string_view label = m_graph.label(*id);
                r.label = label.empty() ? std::string(text) : std::string(label);
                r.data = m_graph.data(*id);
                r.grad = m_graph.grad(*id);
            } else {
                r.data = std::get<double>(v);
            }
            m_output->result(r);
            return;
        }
        case StatementKind::Constant:
            define_constant(s, frame);
            flush_warnings();
            m_transcript.append(text);
            return;
        case StatementKind::Function:
            define_function(s, frame);
            m_transcript.append(text);
            return;
        case StatementKind::Assignment: {
            m_name_index.prefetch(s.target);  // bind() looks it up once the value is made
            if (is_builtin_function(s.target) || find_function(s.target) ||
                m_user_functions.contains(s.target))
                throw Error(fmt::format("cannot bind '{}': it is the name of a function", s.target),
                            s.target_span);
            if (const auto k = constant(s.target))
                throw Error(fmt::format("'{}' is a constant ({}); 'const {} = …' gives it a new "
                                        "value",
                                        s.target, format_number(*k), s.target),
                            s.target_span);
            if (s.target == "const")
                throw Error("'const' is a keyword: 'const NAME = NUMBER' binds a constant",
                            s.target_span);
            std::optional<NodeId> current;
            if (s.assign_op != TokenKind::Assign) current = require(s.target, s.target_span);
            Operand v = evaluate(s, frame);
            if (current) {
                Expr whole;
                whole.span = s.span;
                v = apply_op(binary_op(s.assign_op), *current, v, whole);
            }
            NodeId id;
            if (const auto* node = std::get_if<NodeId>(&v)) {
                id = *node;
            } else {
                id = m_graph.leaf(std::get<double>(v));
                for (auto& w : m_pending)
                    if (w.node == no_node) w.node = id;  // it came from this number
            }
            if (!origin(id)) set_origin(id, Origin{frame.source_index, s.span.line, s.span.column});
            bind(s.target, id);
            flush_warnings();
            m_transcript.append(text);
            return;
        }
        case StatementKind::SetData: {
            const NodeId id = require(s.target, s.target_span);
            if (!is_leaf(m_graph.op(id)))
                throw Error(fmt::format("'{}' is computed ({}), not a leaf: only a leaf's data "
                                        "can be set",
                                        s.target, op_info(m_graph.op(id)).name),
                            s.target_span);
            const Operand v = evaluate(s, frame);
            double x = std::holds_alternative<double>(v) ? std::get<double>(v)
                                                         : m_graph.data(std::get<NodeId>(v));
            // a.data -= lr * a.grad, as in micrograd's update step.
            if (s.assign_op != TokenKind::Assign)
                x = detail::apply(binary_op(s.assign_op), m_graph.data(id), x);
            flush_warnings();
            // Warn when the change makes a NaN or inf appear where there was none before.
            std::vector<bool> was_finite(m_graph.size());
            for (NodeId k = id; k < m_graph.size(); ++k)
                was_finite[k] = std::isfinite(m_graph.data(k));
            m_graph.set_data(id, x);
            m_graph.forward();
            for (NodeId k = id; k < m_graph.size(); ++k) {
                if (!was_finite[k] || std::isfinite(m_graph.data(k))) continue;
                std::string where;
                if (auto o = origin(k)) where = fmt::format(" (made at {}:{})", o->source, o->line);
                report(frame, Severity::Warning,
                       fmt::format("with {}.data = {}, node '{}'{} becomes {}", s.target,
                                   format_number(x), node_name(k), where,
                                   format_number(m_graph.data(k))),
                       s.span);
                break;  // where it first appears; the nodes after it only pass it on
            }
            m_transcript.append(text);
            return;
        }
        case StatementKind::Command: return;
    }
}

void Session::Impl::backward(NodeId root) {
    m_graph.check_id(root);
    // Only the gradients the previous call set can be non-zero, unless something else has
    // written gradients since (the graph's grad_version tells): zeroing those and the part
    // below `root` is then zeroing the whole tape, in time that does not grow with the session.
    if (m_grads_known && m_graph.grad_version() == m_grads_version) {
        for (NodeId id : m_grad_nodes)
            if (id < m_graph.size()) m_graph.set_grad(id, 0.0);
    } else {
        m_graph.zero_grad();
    }
    const std::span<const NodeId> part = m_walk.of(m_graph, root);
    m_graph.backward_through(root, part);
    // When the part is much of the tape, zeroing the whole tape next time costs about the
    // same as zeroing the part, and spares a copy of the list.
    m_grads_known = part.size() * 4 < m_graph.size();
    if (m_grads_known)
        m_grad_nodes.assign(part.begin(), part.end());
    else
        m_grad_nodes.clear();
    m_grads_version = m_graph.grad_version();
    check_gradients(root, part);
}

void Session::Impl::check_gradients(NodeId root, std::span<const NodeId> part) {
    // Report where a non-finite gradient is closest to the root: that is where it came from.
    for (std::size_t k = part.size(); k-- > 0;) {
        const NodeId id = part[k];
        const double g = m_graph.grad(id);
        if (std::isfinite(g)) continue;
        std::string where;
        if (auto o = origin(id)) where = fmt::format(" (made at {}:{})", o->source, o->line);
        warn(fmt::format("after backpropagating from '{}', node '{}'{} has gradient {}",
                         node_name(root), node_name(id), where, format_number(g)));
        return;
    }
}

}  // namespace mgrad
