// What to write instead of micrograd's internal constructor, Value(data, _children, _op): the
// expression that makes the same node with mgrad's operators, found from the op table's
// micrograd column (`'+'`, `'**2'`, `'ReLU'` …) and written the way Python writes the op.
#include <Python.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "mgrad/engine/op.hpp"
#include "value.hpp"

namespace mgrad::python {

namespace {

/// A Python object's str() as UTF-8 ("?" if it has none).
std::string text_of(PyObject* o, bool repr) {
    PyObject* s = repr ? PyObject_Repr(o) : PyObject_Str(o);
    if (!s) {
        PyErr_Clear();
        return "?";
    }
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(s, &size);
    std::string out = text ? std::string(text, static_cast<std::size_t>(size)) : "?";
    if (!text) PyErr_Clear();
    Py_DECREF(s);
    return out;
}

/// How the hint names each child: a Value by its label (or x, y, z), anything else by repr().
std::vector<std::string> child_names(PyObject* children) {
    std::vector<std::string> names;
    if (!children) return names;
    PyObject* seq = PySequence_Fast(children, "");
    if (!seq) {
        PyErr_Clear();
        return names;
    }
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n && i < 3; ++i) {
        PyObject* item = PySequence_Fast_GET_ITEM(seq, i);
        std::string name;
        if (is_value(item)) {
            try {
                Tape& t = *as_value(item)->tape;
                name = t.graph().label(t.id_of(as_value(item)));
            } catch (...) {  // a stale Value: a plain name will do
            }
            if (name.empty()) name = std::string(1, "xyz"[i]);
        } else {
            name = text_of(item, true);
        }
        names.push_back(std::move(name));
    }
    if (n > 3) names.clear();  // no op has more than three operands
    Py_DECREF(seq);
    return names;
}

/// The op whose micrograd name `_op` is, for this many operands, and its constant exponent.
std::optional<Op> op_named(std::string_view name, std::size_t operands, std::string& k) {
    for (std::size_t i = 0; i < op_count; ++i) {
        const auto op = static_cast<Op>(i);
        const OpInfo& info = op_info(op);
        if (is_leaf(op) || info.micrograd.empty()) continue;
        const std::size_t inputs = op == Op::PowConst ? 1 : info.arity;
        if (inputs != operands) continue;
        const std::size_t at = info.micrograd.find("{k}");
        if (at == std::string_view::npos) {
            if (info.micrograd == name) return op;
            continue;
        }
        const std::string_view prefix = info.micrograd.substr(0, at);
        if (name.size() > prefix.size() && name.starts_with(prefix)) {
            k = name.substr(prefix.size());
            return op;
        }
    }
    return std::nullopt;
}

/// The op in Python: a function of one argument is a method (`x.tanh()`); the others are
/// their formula (`a + b`, `a ** 2`, `pow(a, b)`).
std::string python_form(Op op, const std::vector<std::string>& names, const std::string& k) {
    const OpInfo& info = op_info(op);
    if (info.kind == OpKind::Function && info.arity == 1)
        return names[0] + "." + std::string(info.name) + "()";
    std::string out;
    const std::string_view f = info.formula;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] == '{' && i + 2 < f.size() && f[i + 2] == '}') {
            const char field = f[i + 1];
            out += field == 'k' ? k : names[static_cast<std::size_t>(field - 'a')];
            i += 2;
        } else {
            out += f[i];
        }
    }
    return out;
}

}  // namespace

std::string constructor_hint(PyObject* children, PyObject* op) {
    std::string message =
        "Value(data, _children, _op) is how micrograd's operators make their results; in mgrad "
        "the operators make them on the tape";
    const std::vector<std::string> names = child_names(children);
    std::string k;
    std::optional<Op> found;
    if (op && PyUnicode_Check(op) && !names.empty())
        found = op_named(text_of(op, false), names.size(), k);
    if (found) return message + ": write " + python_form(*found, names, k);
    return message + ": write a + b, a * b, a ** 2, a.tanh() … (a leaf is Value(data, label='a'))";
}

std::string session_op_hint(Op op, const std::vector<std::string>& operands, const std::string& k) {
    const std::string expression = python_form(op, operands, k);
    return "'" + expression +
           "' on a session's Values: a session's graph changes only by its statements, which "
           ":save keeps; write it in the session: s.run('y = " +
           expression + "')";
}

}  // namespace mgrad::python
