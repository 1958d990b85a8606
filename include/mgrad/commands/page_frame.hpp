// Page frames — what a page that follows a session shows, read from the session at one moment.
//
// One page application (src/view/page) shows a session in two ways: the live view (`mgrad
// --view`, a server in the mgrad process) and the playground (the session itself compiled to
// WebAssembly, in the page). Both show the picture `:draw` makes, an inspector for each drawn
// value, the backward pass one chain-rule step at a time and a picker of names; a frame is all
// of that as JSON, with the picture described but not laid out yet (the view lays it out with
// Graphviz on a thread of its own, the playground with Graphviz compiled to WebAssembly). A
// frame is composed on the session's thread; it points into nothing, so it can go anywhere.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mgrad/render/render.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

class Session;

/// The stepper walks at most this many chain-rule steps (a larger pass is listed by `:trace`).
inline constexpr std::size_t page_max_steps = 5000;
/// The name picker lists the newest this many names (any other can be typed).
inline constexpr std::size_t page_max_listed_names = 300;

struct MGRAD_API PageFrame {
    /// {follow, pinned?, names, options, root?, name?, message?: {kind, text},
    /// nodes?: {ID: {name, kind, op, formula, data, grad, inputs, users}}, backward?: {start,
    /// steps: [{from, to, line, grad}], zero, one} or {note}} — docs/view.md.
    std::string json;
    /// The picture, when there is one to lay out (none: nothing bound, or over the cap).
    std::optional<Drawing> drawing;
};

/// What a page shows of one session: the name it follows or was pinned to, and `:draw`'s
/// options. Used on the session's thread only.
class MGRAD_API PageFrames {
  public:
    /// `empty_hint` is what the page says while nothing is bound ("Type a formula …").
    PageFrames(Session& session, std::string empty_hint);

    /// `:view [NAME] [OPTIONS]`: show NAME (none: the newest bound value, following new ones),
    /// drawn with `:draw`'s option words (none: keep the options). Throws Error for an unknown
    /// name or option, or format=.
    void show(const std::optional<std::string>& name, const std::vector<std::string>& option_words);
    /// Replaces the options with these words (none: every default).
    void set_options(const std::vector<std::string>& option_words);
    [[nodiscard]] const DrawOptions& options() const noexcept { return m_options; }
    [[nodiscard]] const std::optional<std::string>& pinned() const noexcept { return m_pinned; }

    /// The frame as the session has it now. Errors in describing become its message.
    [[nodiscard]] PageFrame compose();

  private:
    [[nodiscard]] std::optional<NodeId> shown();

    Session& m_session;
    std::string m_empty_hint;
    std::optional<std::string> m_pinned;
    DrawOptions m_options;
    std::array<std::size_t, 3> m_latest_key{0, 0, 0};
    std::optional<NodeId> m_latest;
};

}  // namespace mgrad
