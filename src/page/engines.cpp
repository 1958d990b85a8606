// The page's layout and plot engines: Graphviz compiled to WebAssembly (@viz-js/viz) and the
// page's own plot drawing, both JavaScript functions the page sets on the module before the first
// statement runs (page/playground.js: Module.mgradLayout, Module.mgradPlot). They are called
// synchronously: viz's instance is made once, asynchronously, before the session starts, and
// after that laying a graph out is an ordinary call.
#include "engines.hpp"

#include <emscripten/emscripten.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "mgrad/plot/plot.hpp"
#include "mgrad/render/layout.hpp"
#include "mgrad/support/error.hpp"

namespace {

// Calls Module[name](text). Returns the result as a malloc'd string; sets *failed when the
// function threw (the string is then its message) or is missing. The JavaScript below has no
// `===` or `!==`: clang-format, reading it as C++, splits them into `== =`.
EM_JS(char*, mgrad_call_js, (const char* name, const char* text, int* failed), {
    let out;
    const fn = Module[UTF8ToString(name)];
    if (typeof fn != 'function') {
        out = 'this page cannot draw: ' + UTF8ToString(name) + ' is not loaded';
        HEAP32[failed >> 2] = 1;
    } else {
        try {
            out = String(fn(UTF8ToString(text)));
            HEAP32[failed >> 2] = 0;
        } catch (e) {
            out = String((e && e.message) || e);
            HEAP32[failed >> 2] = 1;
        }
    }
    const size = lengthBytesUTF8(out) + 1;
    const bytes = _malloc(size);
    stringToUTF8(out, bytes, size);
    return bytes;
});

std::string call_js(const char* name, const std::string& text) {
    int failed = 0;
    char* raw = mgrad_call_js(name, text.c_str(), &failed);
    std::string out(raw);
    std::free(raw);
    if (failed != 0) throw mgrad::Error(out);
    return out;
}

class PageLayoutEngine final : public mgrad::LayoutEngine {
  public:
    std::string render(std::string_view dot, mgrad::Format format, const mgrad::LayoutSize&,
                       const mgrad::DrawControl&) override {
        if (format != mgrad::Format::Svg)
            throw mgrad::Error(
                "the page draws SVG (and writes DOT and JSON); PNG and PDF need the mgrad "
                "program, or convert the SVG");
        return call_js("mgradLayout", std::string(dot));
    }
};

class PagePlotEngine final : public mgrad::PlotEngine {
  public:
    std::string missing(std::string_view format) override {
        if (format == "svg") return {};
        return "the page draws plots as SVG only (PNG and PDF need the mgrad program)";
    }
    std::string draw(std::string_view description, std::string_view format) override {
        if (format != "svg") throw mgrad::Error(missing(format));
        return call_js("mgradPlot", std::string(description));
    }
};

}  // namespace

namespace mgrad::page {

void use_page_engines() {
    set_layout_engine(std::make_shared<PageLayoutEngine>());
    set_plot_engine(std::make_shared<PagePlotEngine>());
}

}  // namespace mgrad::page
