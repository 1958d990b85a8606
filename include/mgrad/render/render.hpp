// Rendering — pictures of the computation graph a value depends on.
//
// The look follows micrograd's draw_dot: left to right, one record per value
// `{ label | data 2.0000 | grad 6.0000 }`, a small op node (`+`, `*`, `tanh`, `**2` …) feeding
// it, and one edge per operand (so `a + a` shows two edges). Layout and rendering run in-process
// through Graphviz's cgraph + gvc libraries; the Graphviz context is created the first time
// something is drawn, so programs that never draw never load its plugins. Output is
// deterministic: node names follow the tape, so the same graph gives byte-identical DOT and SVG.
//
// Large graphs: a depth limit from the root, folding constants into op labels, clusters by name
// prefix or by nn module (Graph::scopes), one box per nn module, and a node cap that refuses a
// layout that would run for minutes, saying which of those options to use instead.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/support/export.hpp"
#include "mgrad/support/options.hpp"

namespace mgrad {

/// Output formats. SVG, DOT and JSON need only the core plugin; PNG and PDF need Graphviz's
/// cairo plugin (libgvplugin_pango, Debian package libgvc6).
enum class Format { Svg, Png, Pdf, Dot, Json };

/// "svg", "png", "pdf", "dot", "json".
[[nodiscard]] MGRAD_API std::string_view format_name(Format format) noexcept;
/// The format a name ("svg", "PNG" …) stands for, if any.
[[nodiscard]] MGRAD_API std::optional<Format> format_from_name(std::string_view name) noexcept;
/// The format a file's extension (".svg" … ".gv" counts as DOT) stands for, if any.
[[nodiscard]] MGRAD_API std::optional<Format> format_from_extension(
    const std::filesystem::path& file);

enum class RankDir { LeftRight, TopBottom };

struct MGRAD_API DrawOptions {
    RankDir rankdir = RankDir::LeftRight;  ///< `tb` / `lr`
    int decimals = 4;                      ///< `decimals=N`, 0..17
    bool hide_constants = false;    ///< `hide-constants`: fold constants into op labels (`*2`)
    std::optional<unsigned> depth;  ///< `depth=N`: values at most N ops from the root
    std::vector<std::string> cluster_prefixes;  ///< `cluster=PREFIX` (repeatable)
    bool cluster_modules = false;               ///< `cluster-modules`: one box per nn scope
    bool collapse_modules = false;  ///< `collapse-modules`: each innermost nn scope as one box
    std::size_t max_nodes = 1500;   ///< `max-nodes=N`: values drawn at most
    bool shade_gradients = false;   ///< `shade`: colour by gradient sign and size
    bool legend = true;             ///< `no-legend` turns it off
    std::optional<Format> format;   ///< `format=png`: overrides the extension
    /// A value drawn in a signal colour with a thick border (`:trace` marks the node whose
    /// gradient is being updated); not an option word of `:draw`.
    std::optional<NodeId> highlight;
    std::string highlight_legend = "highlighted";  ///< its entry in the legend
};

/// What a front end hears about a drawing that takes long: about once a second after the first
/// second, and a last time with `done` set (to clear a status line) when it ends either way.
struct MGRAD_API DrawProgress {
    double seconds = 0;     ///< since the layout began
    std::size_t nodes = 0;  ///< boxes and operations being laid out
    bool done = false;
};

/// Stopping and watching a drawing. With either function set, the layout runs in a child
/// process (fork) that is killed when `cancelled` turns true: Graphviz cannot be stopped
/// part-way inside a process. Without them the layout runs in the calling process.
struct MGRAD_API DrawControl {
    /// Polled every 20 ms while the layout runs; true abandons the drawing, which then throws
    /// Error("interrupted; nothing was written") and writes nothing.
    std::function<bool()> cancelled;
    std::function<void(const DrawProgress&)> progress;
    [[nodiscard]] bool active() const noexcept { return cancelled || progress; }
};

/// Parses the option words of `:draw NAME FILE [options]`. Throws Error naming the bad word
/// and the nearest valid option.
[[nodiscard]] MGRAD_API DrawOptions parse_draw_options(std::span<const std::string> words);
/// The option words parse_draw_options() accepts, one line each with a short explanation.
[[nodiscard]] MGRAD_API std::string draw_options_help();
/// The option words of `:draw` (and `:view`, `--draw-options`) with their kinds and ranges:
/// the one description that parse_draw_options, the help, completion and the page use.
[[nodiscard]] MGRAD_API const OptionParser& draw_option_parser() noexcept;

/// DOT text of the graph `root` depends on, written by cgraph from the graph that is laid out
/// for SVG/PNG/PDF (no positions).
[[nodiscard]] MGRAD_API std::string to_dot(Graph& graph, NodeId root,
                                           const DrawOptions& options = {});
/// JSON: {"root", "nodes": [{id, label, op, symbol, kind, data, grad, …}], "edges": [{from, to,
/// operand}]}; a node of a two-operand op says whether it is "commutative" (if not, the edges'
/// `operand` 0 and 1 are its left and right). Non-finite numbers are the strings "nan", "inf",
/// "-inf". In the pictures and DOT, the operands of a non-commutative op are numbered 1 and 2
/// on their edges.
[[nodiscard]] MGRAD_API std::string to_json(Graph& graph, NodeId root,
                                            const DrawOptions& options = {});
/// The same JSON, handed to `sink` a piece at a time (about a megabyte each) instead of held
/// whole: what draw() writes to a .json file.
MGRAD_API void write_json(Graph& graph, NodeId root, const DrawOptions& options,
                          const std::function<void(std::string_view)>& sink);
/// The picture in memory, in any format.
[[nodiscard]] MGRAD_API std::string render(Graph& graph, NodeId root, Format format,
                                           const DrawOptions& options = {},
                                           const DrawControl& control = {});
/// A picture described but not laid out yet: every value, label and colour of what render()
/// would draw, decided from the graph, and nothing that still points into it. Describing reads
/// the graph (on the thread that owns it); laying out reads only the Drawing, so a front end can
/// lay a picture out on another thread while the graph goes on changing (the live view does).
class MGRAD_API Drawing {
  public:
    Drawing(const Drawing& other);
    Drawing& operator=(const Drawing& other);
    Drawing(Drawing&&) noexcept;
    Drawing& operator=(Drawing&&) noexcept;
    ~Drawing();
    /// The graph's nodes drawn as nodes of their own (as `v<id>` in DOT and SVG), ascending:
    /// not the constants hide-constants folds, the values beyond depth= or inside a collapsed
    /// module.
    [[nodiscard]] std::span<const NodeId> values() const noexcept;
    /// The same picture: the same layout and the same bytes out.
    [[nodiscard]] bool operator==(const Drawing& other) const;

  private:
    struct Impl;
    explicit Drawing(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
    friend Drawing describe(Graph& graph, NodeId root, const DrawOptions& options);
    friend std::string render(const Drawing& drawing, Format format, const DrawControl& control);
};

/// Describes the picture of what `root` depends on. Throws Error as render() does (a graph over
/// the cap names the options that would make it fit).
[[nodiscard]] MGRAD_API Drawing describe(Graph& graph, NodeId root,
                                         const DrawOptions& options = {});
/// Lays out and renders a described picture as SVG, PNG, PDF or DOT (JSON is written from the
/// graph itself: use the other render()). Safe to call from any thread: calls into Graphviz are
/// serialised. `control` as for render() above (a layout that can be stopped, progress).
[[nodiscard]] MGRAD_API std::string render(const Drawing& drawing, Format format,
                                           const DrawControl& control = {});

/// Renders to `file`; the format is options.format or else the file's extension. The file is
/// written to a temporary name in the same directory and renamed, so a failure never leaves a
/// half-written file behind.
MGRAD_API void draw(Graph& graph, NodeId root, const std::filesystem::path& file,
                    const DrawOptions& options = {}, const DrawControl& control = {});

}  // namespace mgrad
