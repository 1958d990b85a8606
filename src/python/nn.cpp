// mgrad.nn's native parts: the forward pass of micrograd's Neuron, Layer and MLP in one call,
// the library's losses, and its optimisers on Python Values.
//
// The modules themselves are Python classes (mgrad/nn.py, micrograd's code) so that their
// attributes (`w`, `b`, `nonlin`, `neurons`, `layers`) are what micrograd users expect and can
// change. Their __call__ comes here and reads those attributes on every call, so a changed
// weight list is used at once; a module of another class (a user's subclass with its own
// __call__) is called through Python.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "errors.hpp"
#include "mgrad/nn/loss.hpp"
#include "mgrad/nn/optim.hpp"
#include "module.hpp"
#include "value.hpp"

namespace py = pybind11;

namespace mgrad::python {

namespace {

// The classes of mgrad/nn.py, registered when it is imported.
PyObject* neuron_class = nullptr;
PyObject* layer_class = nullptr;

// Interned attribute names.
PyObject* s_w = nullptr;
PyObject* s_b = nullptr;
PyObject* s_nonlin = nullptr;
PyObject* s_neurons = nullptr;
PyObject* s_layers = nullptr;

/// A Value's node or a plain number, as micrograd's code lets either flow through a module.
struct Operand {
    bool node = false;
    NodeId id = 0;
    double x = 0.0;
};

/// Thrown when an input is neither a Value nor a number: the caller falls back to Python.
struct Unsupported {};

class Forward {
  public:
    explicit Forward(Tape*& tape) : m_tape(tape) {}

    Operand read(PyObject* o) {
        if (is_value(o)) {
            ValueObject* v = as_value(o);
            if (!m_tape) m_tape = v->tape;
            if (v->tape != m_tape)
                throw Error("cannot combine Values from two different graphs in a module's call");
            m_tape->refuse_on_session("calling a module");
            return {true, m_tape->id_of(v), 0.0};
        }
        double x = 0.0;
        const int n = as_number(o, x);
        if (n < 0) throw py::error_already_set();
        if (n == 0) throw Unsupported{};
        return {false, 0, x};
    }

    std::vector<Operand> read_all(PyObject* seq) {
        py::object fast = steal(PySequence_Fast(seq, "a module's input must be a sequence"));
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
        PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
        std::vector<Operand> out;
        out.reserve(static_cast<std::size_t>(n));
        for (Py_ssize_t i = 0; i < n; ++i)
            out.push_back(read(items[i]));
        return out;
    }

    Operand record(Op op, const Operand& a, const Operand& b) {
        if (!a.node && !b.node) return {false, 0, detail::apply(op, a.x, b.x)};
        Graph& g = m_tape->graph();
        // A number operand becomes a constant node first, as `Value * 2.0` does.
        const NodeId x = a.node ? a.id : g.constant(a.x);
        const NodeId y = b.node ? b.id : g.constant(b.x);
        return {true, g.binary(op, x, y), 0.0};
    }

    /// act(b + Σ wᵢxᵢ), in micrograd's order: sum((wi*xi for wi, xi in zip(w, x)), b).
    Operand neuron(PyObject* n, std::span<const Operand> x) {
        py::object w = attr(n, s_w);
        py::object b = attr(n, s_b);
        py::object nonlin = attr(n, s_nonlin);
        const int relu = PyObject_IsTrue(nonlin.ptr());
        if (relu < 0) throw py::error_already_set();
        py::object ws = steal(PySequence_Fast(w.ptr(), "a Neuron's w must be a sequence"));
        const std::size_t count =
            std::min(static_cast<std::size_t>(PySequence_Fast_GET_SIZE(ws.ptr())), x.size());
        PyObject** items = PySequence_Fast_ITEMS(ws.ptr());
        Operand act = read(b.ptr());
        if (act.node && all_nodes(items, x.first(count))) {
            act.id = weighted_sum(act.id, x.first(count));
        } else {
            for (std::size_t i = 0; i < count; ++i)
                act = record(Op::Add, act, record(Op::Mul, read(items[i]), x[i]));
        }
        if (relu && act.node) return {true, m_tape->graph().unary(Op::Relu, act.id), 0.0};
        if (relu) return {false, 0, act.x < 0 ? 0.0 : act.x};
        return act;
    }

    /// The usual case: every weight a Value of this tape and every input a node. Their ids go
    /// to m_ids (weights first, then inputs).
    bool all_nodes(PyObject** w, std::span<const Operand> x) {
        m_ids.clear();
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (!x[i].node || !is_value(w[i]) || as_value(w[i])->tape != m_tape) return false;
            m_ids.push_back(m_tape->id_of(as_value(w[i])));
        }
        for (const Operand& xi : x)
            m_ids.push_back(xi.id);
        return true;
    }

    /// b + w0*x0 + w1*x1 + … through the engine's inline Value operators, which record each
    /// node with its op known (a call to Graph::binary per node would switch on the op).
    NodeId weighted_sum(NodeId b, std::span<const Operand> x) {
        Graph& g = m_tape->graph();
        const std::size_t n = x.size();
        mgrad::Value act = mgrad::Value::from_id(g, b);
        for (std::size_t i = 0; i < n; ++i)
            act = act + mgrad::Value::from_id(g, m_ids[i]) * mgrad::Value::from_id(g, m_ids[n + i]);
        return act.id();
    }

    /// Each neuron's output; a neuron of another class is called through Python.
    std::vector<Operand> layer(PyObject* layer, std::span<const Operand> x) {
        py::object neurons = attr(layer, s_neurons);
        py::object ns = steal(PySequence_Fast(neurons.ptr(), "a Layer's neurons must be a list"));
        const Py_ssize_t count = PySequence_Fast_GET_SIZE(ns.ptr());
        PyObject** items = PySequence_Fast_ITEMS(ns.ptr());
        std::vector<Operand> out;
        out.reserve(static_cast<std::size_t>(count));
        py::object x_list;
        for (Py_ssize_t i = 0; i < count; ++i) {
            if (Py_TYPE(items[i]) == reinterpret_cast<PyTypeObject*>(neuron_class)) {
                out.push_back(neuron(items[i], x));
                continue;
            }
            if (!x_list) x_list = to_python_list(x);
            out.push_back(read(call(items[i], x_list).ptr()));
        }
        return out;
    }

    py::object to_python(const Operand& o) {
        if (!o.node) return steal(PyFloat_FromDouble(o.x));
        return steal(m_tape->value(o.id, false));
    }
    py::object to_python_list(std::span<const Operand> xs) {
        py::object list = steal(PyList_New(static_cast<Py_ssize_t>(xs.size())));
        for (std::size_t i = 0; i < xs.size(); ++i)
            PyList_SET_ITEM(list.ptr(), static_cast<Py_ssize_t>(i),
                            to_python(xs[i]).release().ptr());
        return list;
    }
    /// micrograd's Layer returns a bare Value when it has one neuron.
    py::object layer_result(std::span<const Operand> out) {
        if (out.size() == 1) return to_python(out[0]);
        return to_python_list(out);
    }

    static py::object steal(PyObject* o) {
        if (!o) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(o);
    }
    static py::object attr(PyObject* o, PyObject* name) { return steal(PyObject_GetAttr(o, name)); }
    /// Calls a module through Python. No C++ frame may hold node ids across it unless the
    /// tape is paused (the caller's Pause guard).
    static py::object call(PyObject* module, const py::object& x) {
        return steal(PyObject_CallOneArg(module, x.ptr()));
    }

  private:
    Tape*& m_tape;
    std::vector<NodeId> m_ids;  // all_nodes()'s, reused neuron after neuron
};

/// A Layer's output as the next layer's input: a list, or micrograd's bare single Value.
std::vector<Operand> as_inputs(Forward& f, PyObject* o) {
    if (is_value(o) || PyFloat_Check(o) || PyLong_Check(o)) return {f.read(o)};
    return f.read_all(o);
}

py::object not_implemented() { return py::reinterpret_borrow<py::object>(Py_NotImplemented); }

/// Runs a forward pass with collection paused (node ids sit in C++ variables, and a module of
/// another class may make Values through Python meanwhile), then lets the tape collect: the
/// nodes a pass records are the bulk of a training step's.
template <class Body>
py::object forward_pass(Body body) {
    Tape* tape = nullptr;
    py::object out;
    {
        Tape::Pause pause;
        Forward f(tape);
        try {
            out = body(f);
        } catch (const Unsupported&) {
            return not_implemented();
        }
    }
    if (tape) tape->maybe_collect();
    return out;
}

// Each call returns NotImplemented when an input is neither a Value nor a number, so that the
// Python implementation takes over.

py::object neuron_call(py::handle self, py::handle x) {
    return forward_pass([&](Forward& f) {
        const std::vector<Operand> xs = f.read_all(x.ptr());
        return f.to_python(f.neuron(self.ptr(), xs));
    });
}

py::object layer_call(py::handle self, py::handle x) {
    return forward_pass([&](Forward& f) {
        const std::vector<Operand> xs = f.read_all(x.ptr());
        return f.layer_result(f.layer(self.ptr(), xs));
    });
}

py::object mlp_call(py::handle self, py::handle x) {
    return forward_pass([&](Forward& f) {
        py::object layers = Forward::attr(self.ptr(), s_layers);
        py::object ls =
            Forward::steal(PySequence_Fast(layers.ptr(), "an MLP's layers must be a list"));
        const Py_ssize_t count = PySequence_Fast_GET_SIZE(ls.ptr());
        if (count == 0) return py::reinterpret_borrow<py::object>(x);
        PyObject** items = PySequence_Fast_ITEMS(ls.ptr());
        std::vector<Operand> xs = f.read_all(x.ptr());
        py::object last;  // the last layer's own result when it was called through Python
        for (Py_ssize_t i = 0; i < count; ++i) {
            if (Py_TYPE(items[i]) == reinterpret_cast<PyTypeObject*>(layer_class)) {
                xs = f.layer(items[i], xs);
                last = py::object();
            } else {
                last = Forward::call(items[i], f.to_python_list(xs));
                xs = as_inputs(f, last.ptr());
            }
        }
        return last ? last : f.layer_result(xs);
    });
}

// --- losses ---------------------------------------------------------------------------------

/// The Values of a sequence (numbers become constants on the Values' graph).
struct ValueList {
    Tape* tape = nullptr;
    std::vector<mgrad::Value> values;
};

ValueList value_list(py::handle seq, const char* what, Tape* tape = nullptr) {
    py::object fast = Forward::steal(PySequence_Fast(seq.ptr(), what));
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
    PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
    ValueList out{tape, {}};
    for (Py_ssize_t i = 0; i < n && !out.tape; ++i)
        if (is_value(items[i])) out.tape = as_value(items[i])->tape;
    if (!out.tape) out.tape = &default_tape();
    out.tape->refuse_on_session(what);
    Graph& g = out.tape->graph();
    out.values.reserve(static_cast<std::size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* o = items[i];
        if (is_value(o)) {
            if (as_value(o)->tape != out.tape)
                throw Error(std::string(what) + ": Values from two different graphs");
            out.values.push_back(mgrad::Value::from_id(g, out.tape->id_of(as_value(o))));
            continue;
        }
        double x = 0.0;
        const int k = as_number(o, x);
        if (k < 0) throw py::error_already_set();
        if (k == 0)
            throw py::type_error(std::string(what) + ": expected Values or numbers, got '" +
                                 Py_TYPE(o)->tp_name + "'");
        out.values.push_back(mgrad::Value::constant(x, g));
    }
    return out;
}

py::object result(Tape& tape, const mgrad::Value& v) {
    return Forward::steal(tape.value(v.id(), true));
}

Reduction reduction_of(const std::string& name) {
    if (name == "mean") return Reduction::Mean;
    if (name == "sum") return Reduction::Sum;
    throw py::value_error("reduction must be 'mean' or 'sum', not '" + name + "'");
}

py::object mse_loss(py::handle predictions, py::handle targets, const std::string& reduction) {
    ValueList p = value_list(predictions, "mse: predictions");
    ValueList t = value_list(targets, "mse: targets", p.tape);
    return result(*p.tape, mse(p.values, t.values, reduction_of(reduction)));
}

py::object svm_loss(py::handle scores, py::handle labels) {
    ValueList s = value_list(scores, "svm: scores");
    ValueList l = value_list(labels, "svm: labels", s.tape);
    return result(*s.tape, svm_hinge(s.values, l.values));
}

py::object bce_loss(py::handle logits, py::handle targets) {
    ValueList s = value_list(logits, "binary_cross_entropy: logits");
    ValueList t = value_list(targets, "binary_cross_entropy: targets", s.tape);
    return result(*s.tape, binary_cross_entropy(s.values, t.values));
}

py::object ce_loss(py::handle logits, py::handle targets) {
    py::object rows = Forward::steal(PySequence_Fast(logits.ptr(), "cross_entropy: logits"));
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(rows.ptr());
    PyObject** items = PySequence_Fast_ITEMS(rows.ptr());
    Tape* tape = nullptr;
    std::vector<std::vector<mgrad::Value>> z;
    for (Py_ssize_t i = 0; i < n; ++i) {
        ValueList row = value_list(items[i], "cross_entropy: logits", tape);
        tape = row.tape;
        z.push_back(std::move(row.values));
    }
    if (!tape) tape = &default_tape();
    // Targets: class indices (ints) or one-hot rows.
    py::object ts = Forward::steal(PySequence_Fast(targets.ptr(), "cross_entropy: targets"));
    const Py_ssize_t m = PySequence_Fast_GET_SIZE(ts.ptr());
    PyObject** targets_items = PySequence_Fast_ITEMS(ts.ptr());
    if (m > 0 && PyIndex_Check(targets_items[0])) {
        std::vector<std::size_t> classes;
        for (Py_ssize_t i = 0; i < m; ++i) {
            const Py_ssize_t c = PyNumber_AsSsize_t(targets_items[i], PyExc_OverflowError);
            if (c == -1 && PyErr_Occurred()) throw py::error_already_set();
            if (c < 0) throw py::value_error("cross_entropy: a class index is negative");
            classes.push_back(static_cast<std::size_t>(c));
        }
        return result(*tape, cross_entropy(z, classes));
    }
    std::vector<std::vector<mgrad::Value>> one_hot;
    for (Py_ssize_t i = 0; i < m; ++i)
        one_hot.push_back(value_list(targets_items[i], "cross_entropy: targets", tape).values);
    return result(*tape, cross_entropy(z, one_hot));
}

py::object l2_loss(py::handle parameters, double alpha) {
    ValueList p = value_list(parameters, "l2: parameters");
    return result(*p.tape, l2(p.values, alpha));
}

// --- optimisers -----------------------------------------------------------------------------

/// A learning rate as a double: a TypeError for anything but a number (pybind11's cast would
/// raise a RuntimeError, "Unable to cast Python instance to C++ type").
double learning_rate_of(const py::handle& lr, const char* what) {
    double x = 0.0;
    const int n = as_number(lr.ptr(), x);
    if (n < 0) throw py::error_already_set();
    if (n == 0)
        throw py::type_error(std::string(what) + " must be a number (or lr a function of the " +
                             "step number), not '" + Py_TYPE(lr.ptr())->tp_name + "'");
    return x;
}

class PyOptimizer {
  public:
    PyOptimizer(py::iterable parameters, py::object lr, bool adam, AdamOptions options)
        : m_adam(adam), m_options(options) {
        for (py::handle p : parameters) {
            if (!is_value(p.ptr()))
                throw py::type_error("an optimiser's parameters must be Values");
            if (!m_tape) m_tape = as_value(p.ptr())->tape;
            if (as_value(p.ptr())->tape != m_tape)
                throw Error("an optimiser's parameters must all be on one graph");
            m_tape->refuse_on_session("an optimiser");  // (:step and :minimize are the session's)
            m_parameters.push_back(py::reinterpret_borrow<py::object>(p));
        }
        if (PyCallable_Check(lr.ptr())) {
            m_schedule = [lr](std::size_t k) { return learning_rate_of(lr(k), "lr(k)"); };
        } else {
            m_schedule = constant_schedule(learning_rate_of(lr, "lr"));
        }
    }

    void step() { optimizer().step(); }
    /// The parameters' gradients and those of every Value computed from them: backward() adds
    /// into computed Values' too (micrograd's rule), and a loss built once and replayed must
    /// start each step from 0 everywhere.
    void zero_grad() {
        Optimizer& o = optimizer();
        o.zero_grad();
        std::vector<NodeId> ids;
        ids.reserve(o.parameters().size());
        for (const mgrad::Value& p : o.parameters())
            ids.push_back(p.id());
        if (m_tape) m_tape->graph().zero_grad_downstream(ids);
    }
    [[nodiscard]] double learning_rate() { return optimizer().learning_rate(); }
    [[nodiscard]] std::size_t steps() { return optimizer().steps_taken(); }

  private:
    // The parameters' node ids change when the tape is collected: handles are made afresh
    // each time (the optimiser's state, e.g. Adam's moments, stays).
    Optimizer& optimizer() {
        std::vector<mgrad::Value> handles;
        handles.reserve(m_parameters.size());
        for (const py::object& p : m_parameters)
            handles.push_back(
                mgrad::Value::from_id(m_tape->graph(), m_tape->id_of(as_value(p.ptr()))));
        if (!m_optimizer) {
            if (m_adam)
                m_optimizer = std::make_unique<Adam>(std::move(handles), m_schedule, m_options);
            else
                m_optimizer = std::make_unique<SGD>(std::move(handles), m_schedule);
        } else {
            m_optimizer->set_parameters(std::move(handles));
        }
        return *m_optimizer;
    }

    std::vector<py::object> m_parameters;
    Tape* m_tape = nullptr;
    Schedule m_schedule;
    bool m_adam;
    AdamOptions m_options;
    std::unique_ptr<Optimizer> m_optimizer;
};

}  // namespace

void register_nn(py::module_& m) {
    s_w = PyUnicode_InternFromString("w");
    s_b = PyUnicode_InternFromString("b");
    s_nonlin = PyUnicode_InternFromString("nonlin");
    s_neurons = PyUnicode_InternFromString("neurons");
    s_layers = PyUnicode_InternFromString("layers");

    m.def(
        "_register_nn",
        [](py::object neuron, py::object layer) {
            neuron_class = neuron.release().ptr();
            layer_class = layer.release().ptr();
        },
        "Called by mgrad.nn with its Neuron and Layer classes.");
    m.def("neuron_call", &neuron_call, py::arg("neuron"), py::arg("x"));
    m.def("layer_call", &layer_call, py::arg("layer"), py::arg("x"));
    m.def("mlp_call", &mlp_call, py::arg("mlp"), py::arg("x"));

    m.def("mse", &mse_loss, py::arg("predictions"), py::arg("targets"),
          py::arg("reduction") = "mean");
    m.def("svm", &svm_loss, py::arg("scores"), py::arg("labels"));
    m.def("binary_cross_entropy", &bce_loss, py::arg("logits"), py::arg("targets"));
    m.def("cross_entropy", &ce_loss, py::arg("logits"), py::arg("targets"));
    m.def("l2", &l2_loss, py::arg("parameters"), py::arg("alpha"));

    py::class_<PyOptimizer>(m, "Optimizer")
        .def(py::init([](py::iterable parameters, py::object lr, const std::string& kind,
                         double beta1, double beta2, double eps) {
                 if (kind != "sgd" && kind != "adam")
                     throw py::value_error("optimiser kind must be 'sgd' or 'adam'");
                 return std::make_unique<PyOptimizer>(parameters, lr, kind == "adam",
                                                      AdamOptions{beta1, beta2, eps});
             }),
             py::arg("parameters"), py::arg("lr"), py::arg("kind"), py::arg("beta1") = 0.9,
             py::arg("beta2") = 0.999, py::arg("eps") = 1e-8)
        .def("step", &PyOptimizer::step)
        .def("zero_grad", &PyOptimizer::zero_grad)
        .def_property_readonly("lr", &PyOptimizer::learning_rate)
        .def_property_readonly("steps", &PyOptimizer::steps);
}

}  // namespace mgrad::python
