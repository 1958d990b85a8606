// Tape — one mgrad::Graph as Python sees it: the graph, the Python Values that point into it,
// and (for the default graph) the collection that keeps a training loop in steady memory.
//
// Python cannot tell the graph when a value is dropped: a micrograd-style loop builds a fresh
// graph every step and lets Python free the old one, but the tape only ever grows. So every
// Python Value is registered here under its node id (one Python object per node at most, which
// also gives Values micrograd's identity semantics), and when the tape has grown enough since
// the last collection, the nodes no live Value depends on are dropped: Graph::compact() keeps
// the ancestors of every registered node, in order, and the registered objects are renumbered.
//
// A session's graph is never collected (the session's names point into it); when the session
// clears it (`:reset`), the Values that pointed into it turn stale and raise mgrad.Error.
//
// Lifetime: a Tape is reference-counted by the Values on it and by its owner (the module for the
// default tape, a Session object for a session's), so the graph outlives every Value. Everything
// here runs with the GIL held.
#pragma once

#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "mgrad/engine/graph.hpp"

namespace mgrad {
class Session;
}

namespace mgrad::python {

class SessionOutput;
struct ValueObject;

class Tape {
  public:
    /// The module's default tape: its own graph, collected.
    static Tape* make_default();
    /// A tape on a session's graph: never collected; it owns the session.
    static Tape* make_session(std::unique_ptr<SessionOutput> output,
                              std::unique_ptr<Session> session);

    Tape(const Tape&) = delete;
    Tape& operator=(const Tape&) = delete;

    void retain() noexcept { ++m_refs; }
    void release() noexcept {
        if (--m_refs == 0) delete this;
    }

    [[nodiscard]] Graph& graph() noexcept { return *m_graph; }
    [[nodiscard]] Session* session() noexcept { return m_session.get(); }
    [[nodiscard]] SessionOutput* output() noexcept { return m_output.get(); }
    [[nodiscard]] bool collected() const noexcept { return m_collect; }

    /// The Python Value for node `id` (a new reference): the one already registered, or a new
    /// one. When `fresh` (the node was just made), the tape may then collect.
    PyObject* value(NodeId id, bool fresh);
    /// The node a Value points at, or an mgrad::Error when its graph was cleared since.
    NodeId id_of(ValueObject* v);  // inline, below ValueObject
    /// A Value is being freed.
    void forget(ValueObject* v) noexcept;

    /// Drops every node no live Value depends on. Returns the nodes kept.
    std::size_t collect();
    /// Collects when the tape has grown enough since the last time. Call it only where no C++
    /// variable holds a node id (the Values Python holds are renumbered, nothing else).
    void maybe_collect() {
        if (m_collect && paused == 0 && m_graph->size() >= m_next_collection) collect();
    }
    /// Tape statistics for tests and mgrad.engine.tape_stats().
    struct Stats {
        std::size_t nodes, values, collections, next_collection;
        std::size_t tapes;  ///< Tapes alive in the process: this one and the sessions'
    };
    [[nodiscard]] Stats stats() const noexcept;
    /// The tape grows by at least this many nodes between two collections, and by as many as
    /// it kept at the last (so collecting costs O(1) a node). Default 262,144 (8 MiB of nodes).
    /// Garbage is not free meanwhile: every backward() sweeps it. On the moons demo (65,000
    /// nodes a step) 65,536 took 22% more instructions a step, and 1,048,576 was 1.6x slower.
    void set_min_growth(std::size_t nodes) noexcept;

    /// No collection on any tape while one lives: C++ code holds node ids in local variables
    /// (nn's forward pass) and may call Python meanwhile.
    class Pause {
      public:
        Pause() noexcept { ++paused; }
        Pause(const Pause&) = delete;
        Pause& operator=(const Pause&) = delete;
        ~Pause() { --paused; }
    };
    /// A session's graph grows only by the session's statements, so that `:save` keeps what was
    /// done (session_statement.hpp): `what` (an nn call, an optimiser …) is refused on it.
    void refuse_on_session(const char* what) const {
        if (m_session) [[unlikely]]
            throw_session_graph(what);
    }
    /// Set while a session runs without the GIL: Values on this tape are refused meanwhile.
    void set_busy(bool busy) noexcept { m_busy = busy; }
    void check_idle() const {
        if (m_busy) [[unlikely]]
            throw_busy();
    }

  private:
    static inline std::size_t paused = 0;  // Pause guards alive (all under the GIL)
    static inline std::size_t alive = 0;   // Tapes not yet deleted (tests look for leaks)

    Tape();
    ~Tape();
    /// When the graph was cleared behind our back (a session's `:reset`), every Value on it
    /// becomes stale.
    void sync() noexcept {
        if (m_graph->epoch() != m_epoch) [[unlikely]]
            invalidate_all();
    }
    void invalidate_all() noexcept;
    void schedule_next() noexcept;
    [[noreturn]] void throw_busy() const;
    [[noreturn]] static void throw_session_graph(const char* what);
    [[noreturn]] static void throw_stale();

    std::size_t m_refs = 1;
    std::unique_ptr<Graph> m_own_graph;
    std::unique_ptr<SessionOutput> m_output;  // declared before m_session: outlives it
    std::unique_ptr<Session> m_session;
    Graph* m_graph = nullptr;
    std::uint32_t m_epoch = 0;
    bool m_collect = false;
    std::vector<ValueObject*> m_objects;  ///< by node id; null where Python holds no Value
    std::vector<NodeId> m_roots, m_remap;  ///< collect()'s, kept for their memory
    std::size_t m_values = 0;             ///< non-null entries of m_objects
    std::size_t m_collections = 0;
    std::size_t m_min_growth = std::size_t{1} << 18u;
    std::size_t m_next_collection = 0;
    bool m_busy = false;
};

/// A Python mgrad.Value: a tape and a node id (no_node once stale).
struct ValueObject {
    // clang-format off
    PyObject_HEAD
    Tape* tape;
    NodeId id;
    // clang-format on
};

inline NodeId Tape::id_of(ValueObject* v) {
    check_idle();
    sync();
    if (v->id == no_node) [[unlikely]]
        throw_stale();
    return v->id;
}

}  // namespace mgrad::python
