// Whether this build can lay pictures out and draw plots: a build of the core without Graphviz
// or PLplot (the clang/libc++ build, the WebAssembly page's) skips the tests that need them,
// and runs every other test.
#pragma once

#include <doctest/doctest.h>

#include <mgrad/plot/plot.hpp>
#include <mgrad/render/layout.hpp>
#include <mgrad/support/error.hpp>

namespace mgrad_test {

inline bool have_layout() {
    static const bool have = [] {
        try {
            (void)mgrad::layout_engine();
            return true;
        } catch (const mgrad::Error&) {
            return false;
        }
    }();
    return have;
}

inline bool have_plots() {
    static const bool have = [] {
        try {
            return mgrad::plot_engine()->missing("svg").empty();
        } catch (const mgrad::Error&) {
            return false;
        }
    }();
    return have;
}

}  // namespace mgrad_test

/// A test case that lays pictures out: skipped without a layout engine.
#define MGRAD_NEEDS_LAYOUT doctest::skip(!mgrad_test::have_layout())
/// A test case that draws plots: skipped without a plot engine.
#define MGRAD_NEEDS_PLOTS doctest::skip(!mgrad_test::have_plots())
/// A test case that does both.
#define MGRAD_NEEDS_LAYOUT_AND_PLOTS \
    doctest::skip(!mgrad_test::have_layout() || !mgrad_test::have_plots())
