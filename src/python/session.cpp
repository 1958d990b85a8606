// mgrad.Session's native half: a language Session with every standard command, run without the
// GIL, its output kept as events (session_output.hpp), Ctrl-C as the REPL has it.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "errors.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/language/diagnostic.hpp"
#include "mgrad/language/parser.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/number.hpp"
#include "module.hpp"
#include "session_output.hpp"
#include "session_statement.hpp"
#include "value.hpp"

namespace py = pybind11;

namespace mgrad::python {

// --- SessionOutput --------------------------------------------------------------------------

void SessionOutput::text(std::string_view text) {
    // Consecutive text (an echoed statement, then a table's trailer) stays one event.
    if (!m_events.empty() && m_events.back().kind == Event::Kind::Text) {
        m_events.back().text += text;
        return;
    }
    Event e;
    e.text = text;
    m_events.push_back(std::move(e));
}

void SessionOutput::diagnostic(Severity severity, std::string_view formatted) {
    // Only reached for diagnostics that bypass report() (none today): keep them anyway.
    Event e;
    e.kind = Event::Kind::Diagnostic;
    e.severity = severity;
    e.text = formatted;
    e.message = formatted;
    m_events.push_back(std::move(e));
}

void SessionOutput::result(const Result& r) {
    Event e;
    e.kind = Event::Kind::Result;
    e.text = format_result(r);
    e.expression = r.expression;
    e.label = r.label;
    e.data = r.data;
    e.grad = r.grad;
    m_events.push_back(std::move(e));
}

void SessionOutput::report(const Diagnostic& d) {
    Event e;
    e.kind = Event::Kind::Diagnostic;
    e.severity = d.severity;
    e.text = format_diagnostic(d.source, d.source_text, d.severity, d.message, d.span);
    e.styled = format_diagnostic(d.source, d.source_text, d.severity, d.message, d.span, true);
    e.message = d.message;
    e.source = d.source;
    e.span = d.span;
    if (d.detail != nullptr) e.detail = *d.detail;
    m_events.push_back(std::move(e));
}

void SessionOutput::table(const Table& t) {
    Event e;
    e.kind = Event::Kind::Table;
    e.text = t.text;
    e.rows = t.rows;
    e.align = t.align;
    m_events.push_back(std::move(e));
}

void SessionOutput::wrote_file(const WrittenFile& file) {
    Event e;
    e.kind = Event::Kind::File;
    e.path = file.path;
    e.format = file.format;
    m_events.push_back(std::move(e));
}

void SessionOutput::picture(const Picture& picture) {
    Event e;
    e.kind = Event::Kind::Picture;
    e.format = picture.format;
    e.bytes = picture.data;
    e.text = picture.caption;
    m_events.push_back(std::move(e));
}

// --- Python operations as statements ---------------------------------------------------------

void throw_session_ended() {
    throw Error("this session has ended (:quit): make a new one, mgrad.Session()");
}

void run_session_statement(Tape& tape, std::string_view statement, std::size_t quiet_from) {
    tape.check_idle();
    Session& session = *tape.session();
    if (session.quit_requested()) throw_session_ended();
    const bool ok = session.run("<python>", statement);
    std::optional<std::string> error;
    std::vector<std::string> warnings;
    for (Event& e : tape.output()->take()) {
        if (e.kind != Event::Kind::Diagnostic) continue;  // (the echo, a table of :set …)
        if (e.severity == Severity::Error && !error)
            error = std::move(e.message);
        else if (e.severity == Severity::Warning && !(e.span && e.span->offset >= quiet_from))
            warnings.push_back(std::move(e.message));
    }
    for (const std::string& w : warnings)
        if (PyErr_WarnEx(PyExc_RuntimeWarning, w.c_str(), 1) < 0) throw py::error_already_set();
    if (!ok) throw Error(error ? *error : std::string(statement) + " failed");
}

std::optional<std::string> bound_name(Tape& tape, NodeId id) {
    tape.check_idle();
    const Session& session = *tape.session();
    for (const std::string& name : session.names())
        if (session.lookup(name) == id) return name;
    return std::nullopt;
}

std::string number_statement_text(double x) {
    if (std::isnan(x)) return "0/0";
    if (std::isinf(x)) return x > 0 ? "1/0" : "-1/0";
    return format_number(x);
}

namespace {

// --- Ctrl-C ---------------------------------------------------------------------------------

// The flag of the session running in the main thread; the handler only stores through it.
std::atomic<volatile std::sig_atomic_t*> sigint_target{nullptr};
static_assert(std::atomic<volatile std::sig_atomic_t*>::is_always_lock_free);

extern "C" void on_sigint(int) {
    if (volatile std::sig_atomic_t* flag = sigint_target.load()) *flag = 1;
}

/// While a session runs in the main thread and Python handles SIGINT (its default, and what
/// Jupyter's kernels do while a cell runs), SIGINT sets the session's flag instead: long commands
/// poll it and stop, as in the REPL. Python's handler is put back afterwards.
class SigintGuard {
  public:
    explicit SigintGuard(volatile std::sig_atomic_t* flag) {
        py::module_ threading = py::module_::import("threading");
        if (!threading.attr("current_thread")().is(threading.attr("main_thread")())) return;
        py::module_ signal = py::module_::import("signal");
        py::object handler = signal.attr("getsignal")(signal.attr("SIGINT"));
        if (!PyCallable_Check(handler.ptr())) return;  // SIG_IGN or SIG_DFL: leave them be
        sigint_target.store(flag);
        struct sigaction action {};
        action.sa_handler = on_sigint;
        sigemptyset(&action.sa_mask);
        m_installed = ::sigaction(SIGINT, &action, &m_old) == 0;
    }
    SigintGuard(const SigintGuard&) = delete;
    SigintGuard& operator=(const SigintGuard&) = delete;
    ~SigintGuard() {
        if (!m_installed) return;
        ::sigaction(SIGINT, &m_old, nullptr);
        sigint_target.store(nullptr);
    }

  private:
    struct sigaction m_old {};
    bool m_installed = false;
};

// --- events as Python objects ---------------------------------------------------------------

py::object str(std::string_view text) { return py::reinterpret_steal<py::object>(to_str(text)); }


py::list events_to_python(std::vector<Event> events) {
    py::list out;
    for (Event& e : events) {
        switch (e.kind) {
            case Event::Kind::Text: out.append(py::make_tuple("text", str(e.text))); break;
            case Event::Kind::Result:
                out.append(py::make_tuple("result", str(e.text), str(e.expression),
                                          e.label ? str(*e.label) : py::none(), e.data,
                                          e.grad ? py::object(py::float_(*e.grad)) : py::none()));
                break;
            case Event::Kind::Table: {
                py::list rows;
                for (const auto& row : e.rows) {
                    py::list cells;
                    for (const auto& cell : row)
                        cells.append(str(cell));
                    rows.append(cells);
                }
                out.append(py::make_tuple("table", str(e.text), rows, str(e.align)));
                break;
            }
            case Event::Kind::Diagnostic: {
                py::object detail = py::none();
                if (e.detail) {
                    py::list suggestions, fixes;
                    for (const auto& w : e.detail->suggestions)
                        suggestions.append(str(w));
                    for (const auto& w : e.detail->fixes)
                        fixes.append(str(w));
                    py::dict d;
                    d["argument"] = str(e.detail->argument);
                    d["expected"] = str(e.detail->expected);
                    d["suggestions"] = suggestions;
                    d["fixes"] = fixes;
                    detail = d;
                }
                out.append(py::make_tuple(
                    "diagnostic", str(e.text), str(severity_name(e.severity)), str(e.message),
                    str(e.source), py::reinterpret_steal<py::object>(make_span(e.span)), detail,
                    str(e.styled)));
                break;
            }
            case Event::Kind::File:
                out.append(py::make_tuple("file", str(e.path), str(e.format)));
                break;
            case Event::Kind::Picture:
                out.append(
                    py::make_tuple("picture", str(e.format), py::bytes(e.bytes), str(e.text)));
                break;
        }
    }
    return out;
}

// --- the session ----------------------------------------------------------------------------

class PySession {
  public:
    PySession(bool keep_going, bool echo, std::size_t max_nodes, bool pictures) {
        auto output = std::make_unique<SessionOutput>(pictures);
        SessionOptions options;
        options.keep_going = keep_going;
        options.echo = echo;
        options.max_nodes = max_nodes;
        auto session = std::make_unique<Session>(*output, options);
        add_standard_commands(*session);
        session->set_interrupt_flag(&m_interrupt);
        m_tape = Tape::make_session(std::move(output), std::move(session));
    }
    PySession(const PySession&) = delete;
    PySession& operator=(const PySession&) = delete;
    ~PySession() { m_tape->release(); }  // Values on the session's graph keep it alive

    /// (ok, interrupted, events)
    py::tuple run(const std::string& text, const std::string& source, std::uint32_t first_line,
                  bool script) {
        const Author author = script ? Author::Script : Author::User;
        return running([&](Session& s) { return s.run(source, text, first_line, author); });
    }
    py::tuple run_file(const std::string& path) {
        return running([&](Session& s) { return s.run_file(path); });
    }
    py::tuple run_command(const std::string& name, const std::vector<std::string>& args) {
        return running([&](Session& s) { return s.run_command(name, args); });
    }
    void interrupt() noexcept { m_interrupt = 1; }

    py::object lookup(const std::string& name) {
        m_tape->check_idle();
        const std::optional<NodeId> id = session().lookup(name);
        if (!id) return py::none();
        return py::reinterpret_steal<py::object>(m_tape->value(*id, false));
    }
    /// The Value bound to `name`, or an mgrad::Error that suggests similar names.
    py::object require(const std::string& name) {
        m_tape->check_idle();
        const NodeId id = session().require(name);
        return py::reinterpret_steal<py::object>(m_tape->value(id, false));
    }
    /// s[name] = value: the statement `name = NAME`, where NAME is bound to the Value now.
    void bind(const std::string& name, py::handle value) {
        m_tape->check_idle();
        check_name(name);
        if (!is_value(value.ptr()) || as_value(value.ptr())->tape != m_tape)
            throw py::type_error("only a Value of this session's graph can be bound to a name");
        const NodeId id = m_tape->id_of(as_value(value.ptr()));
        const std::optional<std::string> bound = bound_name(*m_tape, id);
        if (!bound)
            throw Error("s['" + name + "'] = value: '" + session().node_name(id) +
                        "' is not bound to a name, and the session's statements (which :save "
                        "keeps) speak of nodes by name; make it with one: s.run('" +
                        name + " = …')");
        if (*bound != name) run_session_statement(*m_tape, name + " = " + *bound);
    }
    /// s[name] = number: the statement `name = NUMBER` (NaN and the infinities as `0/0`, `1/0`).
    void assign(const std::string& name, double x) {
        m_tape->check_idle();
        check_name(name);
        const std::string statement = name + " = ";
        run_session_statement(*m_tape, statement + number_statement_text(x), statement.size());
    }
    std::vector<std::string> names() {
        m_tape->check_idle();
        return {session().names().begin(), session().names().end()};
    }
    std::vector<std::string> completions(const std::string& prefix) {
        m_tape->check_idle();
        return session().completions(prefix);
    }
    /// (where the word starts, [(candidate, kind) …]) for the text before a cursor.
    py::tuple complete(const std::string& text) {
        m_tape->check_idle();
        const Completion c = session().complete(text);
        py::list candidates;
        for (const auto& candidate : c.candidates)
            candidates.append(py::make_tuple(str(candidate.text), str(candidate.kind)));
        return py::make_tuple(c.start, candidates);
    }
    /// The command a typed name means (a prefix, an alias), or None.
    py::object resolve_command(const std::string& typed) {
        m_tape->check_idle();
        try {
            return str(session().resolve_command(typed).name);
        } catch (const Error&) {
            return py::none();
        }
    }
    std::string describe_commands() {
        m_tape->check_idle();
        return mgrad::describe_commands(session());
    }
    std::vector<std::string> functions() {
        m_tape->check_idle();
        return session().function_names();
    }
    py::list commands() {
        m_tape->check_idle();
        py::list out;
        for (const Command* c : session().commands())
            out.append(py::make_tuple(str(c->name), str(c->usage), str(c->summary), str(c->help)));
        return out;
    }
    void reset() {
        m_tape->check_idle();
        session().reset();
    }
    std::string transcript() {
        m_tape->check_idle();
        return std::string(session().transcript().text);
    }
    std::size_t node_count() {
        m_tape->check_idle();
        return m_tape->graph().size();
    }
    bool quit_requested() {
        m_tape->check_idle();
        return session().quit_requested();
    }
    SessionOptions& options() {
        m_tape->check_idle();
        return session().options();
    }

  private:
    Session& session() { return *m_tape->session(); }

    /// A name goes into a statement's text: anything but a name would be parsed as script
    /// text (`x\n:save f` would run `:save f`).
    static void check_name(const std::string& name) {
        const auto letter = [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        };
        bool ok = !name.empty() && letter(name[0]);
        for (char c : name)
            ok = ok && (letter(c) || (c >= '0' && c <= '9'));
        if (!ok)
            throw Error("'" + name + "' is not a name (letters, digits and _, not first a digit)");
    }

    template <class Body>
    py::tuple running(Body body) {
        m_tape->check_idle();
        if (session().quit_requested()) throw_session_ended();
        m_interrupt = 0;
        bool ok = false;
        {
            SigintGuard guard(&m_interrupt);
            struct Busy {
                Tape& t;
                explicit Busy(Tape& tape) : t(tape) { t.set_busy(true); }
                Busy(const Busy&) = delete;
                Busy& operator=(const Busy&) = delete;
                ~Busy() { t.set_busy(false); }
            } busy(*m_tape);
            py::gil_scoped_release unlocked;  // other threads run; this tape refuses them
            ok = body(session());
        }
        const bool interrupted = m_interrupt != 0;
        m_interrupt = 0;
        return py::make_tuple(ok, interrupted, events_to_python(m_tape->output()->take()));
    }

    Tape* m_tape = nullptr;
    volatile std::sig_atomic_t m_interrupt = 0;
};

}  // namespace

void register_session(py::module_& m) {
    py::class_<PySession>(m, "Session")
        .def(py::init<bool, bool, std::size_t, bool>(), py::arg("keep_going") = false,
             py::arg("echo") = false, py::arg("max_nodes") = default_max_nodes,
             py::arg("pictures") = false)
        .def_static("is_incomplete", &Parser::is_incomplete, py::arg("text"))
        .def("run", &PySession::run, py::arg("text"), py::arg("source"), py::arg("first_line"),
             py::arg("script") = false)
        .def("run_file", &PySession::run_file, py::arg("path"))
        .def("run_command", &PySession::run_command, py::arg("name"), py::arg("args"))
        .def("interrupt", &PySession::interrupt)
        .def("lookup", &PySession::lookup, py::arg("name"))
        .def("require", &PySession::require, py::arg("name"))
        .def("bind", &PySession::bind, py::arg("name"), py::arg("value"))
        .def("assign", &PySession::assign, py::arg("name"), py::arg("data"))
        .def("names", &PySession::names)
        .def("completions", &PySession::completions, py::arg("prefix"))
        .def("complete", &PySession::complete, py::arg("text"))
        .def("describe_commands", &PySession::describe_commands)
        .def("resolve_command", &PySession::resolve_command, py::arg("typed"))
        .def("functions", &PySession::functions)
        .def("commands", &PySession::commands)
        .def("reset", &PySession::reset)
        .def_property_readonly("transcript", &PySession::transcript)
        .def_property_readonly("node_count", &PySession::node_count)
        .def_property_readonly("quit_requested", &PySession::quit_requested)
        .def_property(
            "allow_write", [](PySession& s) { return s.options().allow_write; },
            [](PySession& s, std::vector<std::string> dirs) {
                s.options().allow_write = std::move(dirs);
            })
        .def_property(
            "keep_going", [](PySession& s) { return s.options().keep_going; },
            [](PySession& s, bool v) { s.options().keep_going = v; })
        .def_property(
            "echo", [](PySession& s) { return s.options().echo; },
            [](PySession& s, bool v) { s.options().echo = v; })
        .def_property(
            "max_nodes", [](PySession& s) { return s.options().max_nodes; },
            [](PySession& s, std::size_t v) { s.options().max_nodes = v; });
}

}  // namespace mgrad::python
