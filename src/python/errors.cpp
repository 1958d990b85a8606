#include "errors.hpp"

#include <pybind11/pybind11.h>

#include <new>
#include <stdexcept>

namespace py = pybind11;

namespace mgrad::python {

namespace {
PyObject* error_class = nullptr;  // mgrad.errors.Error; the module keeps it alive
PyObject* span_class = nullptr;   // mgrad.errors.Span
}  // namespace

void init_errors() {
    py::module_ errors = py::module_::import("mgrad.errors");
    error_class = py::object(errors.attr("Error")).release().ptr();
    span_class = py::object(errors.attr("Span")).release().ptr();
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Error& e) {
            set_error(e);
        }
    });
}

PyObject* make_span(const std::optional<SourceSpan>& span) {
    if (!span) Py_RETURN_NONE;
    return PyObject_CallFunction(span_class, "IIII", span->offset, span->length, span->line,
                                 span->column);
}

PyObject* to_str(std::string_view text) {
    return PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
}

void set_error(const Error& e, const std::string& source, const std::string& formatted) {
    py::object span = py::reinterpret_steal<py::object>(make_span(e.span()));
    py::object message = py::reinterpret_steal<py::object>(to_str(e.what()));
    py::object src = py::reinterpret_steal<py::object>(to_str(source));
    py::object text = py::reinterpret_steal<py::object>(to_str(formatted));
    if (!span || !message || !src || !text) return;
    PyObject* exc = PyObject_CallFunctionObjArgs(error_class, message.ptr(), span.ptr(), src.ptr(),
                                                 text.ptr(), nullptr);
    if (!exc) return;
    PyErr_SetObject(error_class, exc);
    Py_DECREF(exc);
}

void set_error_from_current() noexcept {
    try {
        throw;
    } catch (const Error& e) {
        set_error(e);
    } catch (py::error_already_set& e) {
        e.restore();
    } catch (const std::bad_alloc&) {
        PyErr_NoMemory();
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (...) {
        PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception");
    }
}

}  // namespace mgrad::python
