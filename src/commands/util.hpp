// Helpers shared by the commands' implementations (src/commands/*.cpp): argument checks,
// aligned tables, the parts of a graph a command concerns, and guards that put a session's
// data and gradients back. Internal to the library.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/language/parser.hpp"

namespace mgrad {

class Session;
class Output;

namespace detail {

/// Columns two blanks apart, padded by display width (UTF-8 aware); 'l' left, 'r' right.
std::string render_table(const std::vector<std::vector<std::string>>& rows, std::string_view align);

/// A table of `total` rows under `header`, row i made by `row(i)` only when it is shown: every
/// row at once, or, where the output pages (Output::page_rows(), a REPL on a terminal), the
/// first page and a line saying how many are left, the rest kept for `:more`.
void show_rows(Session& session, Output& out, std::string_view command,
               std::vector<std::string> header, std::string align, std::size_t total,
               std::function<std::vector<std::string>(std::size_t)> row);

/// The next page of the table show_rows() kept (what `:more` does).
void show_more(Session& session, Output& out);

/// Tells `out` that a command wrote `path`; the format is its extension, lower case ("png").
void report_written(Output& out, const std::string& path);

/// The node a word names, or an Error under the word that suggests similar names.
NodeId node_arg(Session& session, const Word& w);

/// A bound name whose node is a leaf (an input the user set), for commands that change data.
NodeId leaf_arg(Session& session, const Word& w);

/// A number word (the language's literal rules) that must be finite.
double finite_arg(const Word& w, std::string_view what);

/// A part of a word (e.g. the 0.1 of `lr=0.1`) as a number, with a span pointing at it.
double number_in(const Word& w, std::size_t offset, std::string_view what);

/// Everything `root` depends on (root included), by node id.
std::vector<bool> ancestors(const Graph& g, NodeId root);

/// The Leaf nodes (not constants) `root` depends on, in the order they were made.
std::vector<NodeId> leaves_of(const Graph& g, NodeId root);

/// The most recently made node that has a name: what `L` usually is.
std::optional<NodeId> latest_named(const Session& session);

/// The gradient of `root` with respect to every node, without touching the session's.
std::vector<double> fresh_gradients(Graph& g, NodeId root);

/// A number in short scientific notation (`1.2e-07`) for error columns.
std::string short_sci(double v);

/// Puts every gradient back as it was when constructed: the lab commands that only look
/// (:check, :nudge) leave the session's gradients alone.
class GradSnapshot {
  public:
    explicit GradSnapshot(Graph& g) : m_graph(g) {
        m_grads.reserve(g.size());
        for (const Node& n : g.nodes())
            m_grads.push_back(n.grad);
    }
    GradSnapshot(const GradSnapshot&) = delete;
    GradSnapshot& operator=(const GradSnapshot&) = delete;
    ~GradSnapshot() {
        const auto n = static_cast<NodeId>(std::min<std::size_t>(m_grads.size(), m_graph.size()));
        for (NodeId id = 0; id < n; ++id)
            m_graph.set_grad(id, m_grads[id]);
    }

  private:
    Graph& m_graph;
    std::vector<double> m_grads;
};

/// Puts every gradient back as it was when constructed unless commit() is called: a command
/// that fails halfway (or is interrupted) leaves the session's gradients as it found them.
class GradUndo {
  public:
    explicit GradUndo(Graph& g) : m_graph(g) {
        m_grads.reserve(g.size());
        for (const Node& n : g.nodes())
            m_grads.push_back(n.grad);
    }
    GradUndo(const GradUndo&) = delete;
    GradUndo& operator=(const GradUndo&) = delete;
    ~GradUndo() {
        if (m_committed) return;
        const auto n = static_cast<NodeId>(std::min<std::size_t>(m_grads.size(), m_graph.size()));
        for (NodeId id = 0; id < n; ++id)
            m_graph.set_grad(id, m_grads[id]);
    }
    void commit() noexcept { m_committed = true; }

  private:
    Graph& m_graph;
    std::vector<double> m_grads;
    bool m_committed = false;
};

/// Puts a leaf's data back (and recomputes downstream) however the command ends.
class DataRestore {
  public:
    DataRestore(Graph& g, NodeId leaf) : m_graph(g), m_leaf(leaf), m_data(g.data(leaf)) {}
    DataRestore(const DataRestore&) = delete;
    DataRestore& operator=(const DataRestore&) = delete;
    ~DataRestore() {
        m_graph.set_data(m_leaf, m_data);
        m_graph.forward();
    }

  private:
    Graph& m_graph;
    NodeId m_leaf;
    double m_data;
};

}  // namespace detail
}  // namespace mgrad
