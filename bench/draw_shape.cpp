// Draws one of the benchmark shapes (draw_shapes.hpp) to a file, as `:draw` would: for timing
// whole processes and for looking at the pictures.
//
//   mgrad-draw-shape SHAPE VALUES FILE [draw options]
//   mgrad-draw-shape mlp 1500 mlp.svg
// Prints the shape, its size and the seconds the draw took.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <mgrad/render/render.hpp>

#include "draw_shapes.hpp"
#include "render/scene.hpp"

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fputs("usage: mgrad-draw-shape SHAPE VALUES FILE [draw options]\nshapes:", stderr);
        for (const auto& s : mgrad::bench::shapes)
            std::fprintf(stderr, " %.*s", static_cast<int>(s.name.size()), s.name.data());
        std::fputs("\n", stderr);
        return 2;
    }
    const std::string name = argv[1];
    const auto values = static_cast<std::size_t>(std::strtoul(argv[2], nullptr, 10));
    for (const auto& s : mgrad::bench::shapes) {
        if (s.name != name) continue;
        mgrad::Graph g;
        const mgrad::NodeId root = s.build(g, values);
        std::vector<std::string> words(argv + 4, argv + argc);
        try {
            const mgrad::DrawOptions options = mgrad::parse_draw_options(words);
            const auto t0 = std::chrono::steady_clock::now();
            mgrad::draw(g, root, argv[3], options);
            const std::chrono::duration<double> t = std::chrono::steady_clock::now() - t0;
            // What the renderer made of it: nodes laid out (copies included), the estimate of
            // nodes + dot's virtual nodes, copies, and whether operations went into the boxes.
            const auto scene = mgrad::render_detail::build_scene(g, root, options);
            std::size_t copies = 0, ops = 0;
            for (const auto& n : scene.nodes) {
                copies += n.copy_of != mgrad::render_detail::not_a_copy;
                ops += n.name.starts_with('o');
            }
            fmt::print("{} values={} time={:.3f}s nodes={} layout_size={} copies={} compact={}\n",
                       name, g.size(), t.count(), scene.nodes.size(), scene.layout_size, copies,
                       ops == 0 ? "yes" : "no");
        } catch (const mgrad::Error& e) {
            fmt::print(stderr, "error: {}\n", e.what());
            return 1;
        }
        return 0;
    }
    fmt::print(stderr, "unknown shape '{}'\n", name);
    return 2;
}
