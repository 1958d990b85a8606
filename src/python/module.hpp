// The parts of mgrad._core, each registered by its own file.
#pragma once

#include <pybind11/pybind11.h>

namespace mgrad::python {

void register_nn(pybind11::module_& m);       // nn.cpp
void register_draw(pybind11::module_& m);     // draw.cpp
void register_session(pybind11::module_& m);  // session.cpp

}  // namespace mgrad::python
