// mgrad.Value — micrograd's Value on mgrad's tape, as a type written against Python's C API.
//
// Why not a pybind11 class: every arithmetic operator of a training loop makes one, and
// pybind11's overload dispatch, holder allocation and instance registry cost about ten times
// what recording the node does. Here an operator is one slot call, one node and one small
// object. Everything else in the package goes through pybind11.
#pragma once

#include <Python.h>

#include <string>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "tape.hpp"

namespace mgrad::python {

/// Creates the type and adds it to `module` as `Value`.
void init_value_type(PyObject* module);
[[nodiscard]] PyTypeObject* value_type() noexcept;
[[nodiscard]] inline bool is_value(PyObject* o) noexcept { return Py_TYPE(o) == value_type(); }
[[nodiscard]] inline ValueObject* as_value(PyObject* o) noexcept {
    return reinterpret_cast<ValueObject*>(o);
}

/// The tape `Value(x)` goes on: the module's, collected.
[[nodiscard]] Tape& default_tape() noexcept;

/// The TypeError's message for micrograd's internal constructor, Value(data, _children, _op):
/// the expression that makes the same node, e.g. "… write a + b" (value_hints.cpp).
[[nodiscard]] std::string constructor_hint(PyObject* children, PyObject* op);

/// The error's message for `op` on a session's Values from Python: the statement that does
/// it in the session instead, with `operands` named as the session names them (value_hints.cpp).
[[nodiscard]] std::string session_op_hint(Op op, const std::vector<std::string>& operands,
                                          const std::string& k);

/// 1 and `out` set when `o` is a real number (int, float, bool, a NumPy scalar), 0 when it is
/// something else, -1 with a Python error set (an int too large for a double).
int as_number(PyObject* o, double& out) noexcept;

}  // namespace mgrad::python
