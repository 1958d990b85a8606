// draw_dot's native half: a Value's graph rendered in memory by mgrad's renderer.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mgrad/render/render.hpp"
#include "mgrad/support/atomic_file.hpp"
#include "module.hpp"
#include "value.hpp"

namespace py = pybind11;

namespace mgrad::python {

namespace {

py::bytes render_value(py::handle root, const std::string& format_name,
                       const std::vector<std::string>& words) {
    if (!is_value(root.ptr())) throw py::type_error("draw_dot: root must be a Value");
    const std::optional<Format> format = format_from_name(format_name);
    if (!format)
        throw py::value_error("draw_dot: unknown format '" + format_name +
                              "' (svg, png, pdf, dot or json)");
    const DrawOptions options = parse_draw_options(words);
    Tape& tape = *as_value(root.ptr())->tape;
    const NodeId id = tape.id_of(as_value(root.ptr()));
    return py::bytes(render(tape.graph(), id, *format, options));
}

/// Drawing.save's writer: mgrad's atomic file replacement (atomic_file.hpp), so Python writes
/// a file as every command does. `path` is bytes (os.fsencode): any name the system allows.
void write_file(const py::bytes& path, const py::bytes& data) {
    const std::string name = path;
    const std::string bytes = data;
    write_file_atomically(std::filesystem::path(name), bytes);
}

}  // namespace

void register_draw(py::module_& m) {
    m.def("render", &render_value, py::arg("root"), py::arg("format"), py::arg("options"),
          "The picture of everything `root` depends on, as bytes; `options` are :draw's words.");
    m.def("draw_options_help", &draw_options_help);
    m.def("write_file", &write_file, py::arg("path"), py::arg("data"),
          "Replaces the file `path` (bytes) with `data` as mgrad writes every file: a hidden "
          "temporary beside it, renamed over it; only a regular file is replaced. Raises "
          "mgrad.Error, leaving the file as it was.");
}

}  // namespace mgrad::python
