// Helpers of the renderer's tests: the lecture's graph, counting text, reading files and errors.
#pragma once

#include <doctest/doctest.h>

#include <mgrad/mgrad.hpp>
#include <mgrad/render/render.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace render_test {

namespace fs = std::filesystem;

using mgrad::Graph;
using mgrad::Value;

/// The lecture example, built on its own graph with labels: L = (a*b + c) * f.
struct Lecture {
    Graph g;
    Value a{g, 2.0, "a"}, b{g, -3.0, "b"}, c{g, 10.0, "c"};
    Value e = (a * b).set_label("e");
    Value d = (e + c).set_label("d");
    Value f{g, -2.0, "f"};
    Value L = (d * f).set_label("L");
    Lecture() { L.backward(); }
};

inline std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + needle.size()))
        ++n;
    return n;
}

inline std::string error_of(auto&& f) {
    try {
        f();
    } catch (const mgrad::Error& e) {
        return e.what();
    }
    return "<no error>";
}

/// How Graphviz writes a text element's content in SVG (it spells '-' as &#45;).
inline std::string svg_text(const std::string& text) {
    std::string out = ">";
    for (char c : text)
        out += c == '-' ? std::string("&#45;") : std::string(1, c);
    return out + "</text>";
}

/// The attribute block of one DOT node, e.g. `v3 [ ... ];`.
inline std::string dot_node(const std::string& dot, const std::string& name) {
    std::size_t at = dot.find("\t" + name + "\t[");
    if (at == std::string::npos) return {};
    return dot.substr(at, dot.find("];", at) - at);
}

}  // namespace render_test
