// Modules — the parts of mgrad that are loaded only when used.
//
// Graphviz and PLplot are large and load plugins, fonts and caches; the core of mgrad (the
// engine, the language, the WebAssembly page, a Python wheel) must work without them. Their back
// ends are small shared objects (libmgrad-graphviz.so, libmgrad-plplot.so) with a C interface of
// one symbol, loaded the first time a picture or a plot is made. They are looked for beside the
// program or library that holds this code (the build tree, the Python package), then in its
// `mgrad/` folder and where `cmake --install` puts them (<libdir>/mgrad).
#pragma once

#include <string>

#include "mgrad/support/export.hpp"

namespace mgrad {

/// The address of `symbol` in the module `file_name` (loaded once, never unloaded), or nullptr
/// with the reason in `why` (not found: where it was looked for; found but not loadable: the
/// loader's message, e.g. a missing libgvc.so.6).
[[nodiscard]] MGRAD_API void* find_module_symbol(const char* file_name, const char* symbol,
                                                 std::string& why);

}  // namespace mgrad
