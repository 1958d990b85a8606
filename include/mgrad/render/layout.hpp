// Layout engines — what turns the DOT text of a picture into SVG, PNG or PDF.
//
// The renderer decides everything about a picture (which values, labels, colours, clusters) and
// writes it as DOT text without Graphviz (render.hpp). Laying that text out is the one step that
// needs Graphviz, and it sits behind this interface: natively, Graphviz's libraries in this
// program (mgrad::mgrad links them) or loaded from libmgrad-graphviz.so the first time a picture
// is laid out (the mgrad executable, the Python package); in the page, Graphviz compiled to
// WebAssembly. Each engine gets the same DOT text, so the pictures agree.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mgrad/render/render.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

/// How large a layout is: the picture's nodes (boxes, operations, the legend), and the
/// renderer's estimate of what the layout handles, virtual nodes included (layout_budget.hpp).
struct LayoutSize {
    std::size_t nodes = 0;
    std::size_t layout = 0;
};

class MGRAD_API LayoutEngine {
  public:
    LayoutEngine() = default;
    LayoutEngine(const LayoutEngine&) = delete;
    LayoutEngine& operator=(const LayoutEngine&) = delete;
    virtual ~LayoutEngine() = default;

    /// Lays `dot` out and renders it as `format` (Svg, Png or Pdf). `size` tells how large the
    /// layout is, to choose how (a large one in a child process that `control` can stop) and
    /// for progress reports. Throws Error with what went wrong, or what to install.
    [[nodiscard]] virtual std::string render(std::string_view dot, Format format,
                                             const LayoutSize& size,
                                             const DrawControl& control) = 0;
};

/// Lays pictures out with `engine` from now on (nullptr: back to the default).
MGRAD_API void set_layout_engine(std::shared_ptr<LayoutEngine> engine);

/// The engine in use: the one set, else Graphviz's libraries (linked in, or loaded from the
/// module). Throws Error, saying what to install, when there is none.
[[nodiscard]] MGRAD_API std::shared_ptr<LayoutEngine> layout_engine();

}  // namespace mgrad
