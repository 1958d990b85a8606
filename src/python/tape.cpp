#include "tape.hpp"

#include <algorithm>
#include <string>

#include "mgrad/language/session.hpp"
#include "session_output.hpp"
#include "value.hpp"

namespace mgrad::python {

Tape* Tape::make_default() {
    auto* t = new Tape();
    t->m_own_graph = std::make_unique<Graph>();
    t->m_graph = t->m_own_graph.get();
    t->m_collect = true;
    t->m_epoch = t->m_graph->epoch();
    t->schedule_next();
    return t;
}

Tape* Tape::make_session(std::unique_ptr<SessionOutput> output, std::unique_ptr<Session> session) {
    auto* t = new Tape();
    t->m_output = std::move(output);
    t->m_session = std::move(session);
    t->m_graph = &t->m_session->graph();
    t->m_epoch = t->m_graph->epoch();
    return t;
}

Tape::Tape() { ++alive; }

Tape::~Tape() { --alive; }

PyObject* Tape::value(NodeId id, bool fresh) {
    check_idle();
    sync();
    if (id < m_objects.size()) {
        if (ValueObject* v = m_objects[id]) {
            Py_INCREF(v);
            return reinterpret_cast<PyObject*>(v);
        }
    } else {
        m_objects.resize(std::max<std::size_t>(m_graph->size(), std::size_t{id} + 1));
    }
    ValueObject* v = PyObject_New(ValueObject, value_type());
    if (!v) return nullptr;
    v->tape = this;
    v->id = id;
    retain();
    m_objects[id] = v;
    ++m_values;
    if (fresh) maybe_collect();
    return reinterpret_cast<PyObject*>(v);
}

void Tape::throw_stale() {
    throw Error(
        "this Value is stale: the session it came from was reset (:reset or reset()), which "
        "dropped every node of its graph");
}

void Tape::forget(ValueObject* v) noexcept {
    // While a session runs in another thread the graph must not be read (sync() would):
    // dropping the entry is safe either way, sync() later handles the rest.
    if (!m_busy) sync();
    if (v->id != no_node && v->id < m_objects.size() && m_objects[v->id] == v) {
        m_objects[v->id] = nullptr;
        --m_values;
    }
}

void Tape::invalidate_all() noexcept {
    for (ValueObject* v : m_objects)
        if (v) v->id = no_node;
    m_objects.clear();
    m_values = 0;
    m_epoch = m_graph->epoch();
}

std::size_t Tape::collect() {
    check_idle();
    sync();
    m_roots.clear();
    for (std::size_t i = 0; i < m_objects.size(); ++i)
        if (m_objects[i]) m_roots.push_back(static_cast<NodeId>(i));
    m_graph->compact(m_roots, m_remap);
    // Renumber in place: roots go up in id and move down to ids no later root holds, so every
    // slot written is free. The buffers keep their memory for the next collection.
    for (const NodeId old : m_roots) {
        ValueObject* v = m_objects[old];
        m_objects[old] = nullptr;
        v->id = m_remap[old];
        m_objects[v->id] = v;
    }
    m_objects.resize(m_graph->size());
    m_epoch = m_graph->epoch();  // our own new epoch: the Values were renumbered, not dropped
    ++m_collections;
    schedule_next();
    return m_graph->size();
}

void Tape::schedule_next() noexcept {
    const std::size_t size = m_graph->size();
    m_next_collection = size + std::max(size, m_min_growth);
}

void Tape::set_min_growth(std::size_t nodes) noexcept {
    m_min_growth = std::max<std::size_t>(nodes, 1);
    schedule_next();
}

Tape::Stats Tape::stats() const noexcept {
    return {m_graph->size(), m_values, m_collections, m_collect ? m_next_collection : 0, alive};
}

void Tape::throw_busy() const {
    throw Error("the session is running a statement in another thread: wait for it to finish");
}

void Tape::throw_session_graph(const char* what) {
    throw Error(std::string(what) +
                " on a session's Values: a session's graph changes only by its statements, "
                "which :save keeps; run it in the session (s.run(...)), or take the numbers "
                "(s['a'].data) into Values of your own");
}

}  // namespace mgrad::python
