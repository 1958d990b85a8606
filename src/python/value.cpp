// mgrad.Value: construction, operators, methods and properties (see value.hpp).
#include "value.hpp"

#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "errors.hpp"
#include "mgrad/engine/op.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/number.hpp"
#include "session_statement.hpp"

namespace mgrad::python {

namespace {

PyTypeObject* the_type = nullptr;
Tape* the_default_tape = nullptr;

// Every slot catches what the engine throws: an exception must never unwind into Python.
#define MGRAD_TRY try {
#define MGRAD_CATCH(failed)       \
    }                             \
    catch (...) {                 \
        set_error_from_current(); \
        return failed;            \
    }

[[noreturn]] void throw_mixed(Op op) {
    throw Error(std::string("cannot combine Values from two different graphs in '") +
                std::string(op_info(op).symbol) +
                "' (a session's Values and the default graph's do not mix)");
}

// A Python operator or method on a session's Values is refused (session_statement.hpp), with
// the statement that does it in the session. Cold: off the default graph's path.
[[noreturn, gnu::cold, gnu::noinline]] void throw_session_op(Tape& t, Op op, PyObject* a,
                                                             PyObject* b, double k) {
    auto name = [&](PyObject* o) {
        return is_value(o) ? t.session()->node_name(t.id_of(as_value(o))) : format_number(k);
    };
    std::vector<std::string> operands{name(a)};
    if (b) operands.push_back(name(b));
    throw Error(session_op_hint(op, operands, format_number(k)));
}

// A template on the op, so that the engine's recording is inlined with the op known.
template <Op op>
PyObject* binary(PyObject* a, PyObject* b) {
    MGRAD_TRY
    const bool va = is_value(a), vb = is_value(b);
    double k = 0.0;
    if (va && vb) {
        Tape& t = *as_value(a)->tape;
        if (as_value(b)->tape != &t) throw_mixed(op);
        if (t.session()) [[unlikely]]
            throw_session_op(t, op, a, b, k);
        const NodeId x = t.id_of(as_value(a)), y = t.id_of(as_value(b));
        return t.value(t.graph().binary(op, x, y), true);
    }
    if (va) {
        const int n = as_number(b, k);
        if (n <= 0) {
            if (n == 0) Py_RETURN_NOTIMPLEMENTED;
            return nullptr;
        }
        Tape& t = *as_value(a)->tape;
        if (t.session()) [[unlikely]]
            throw_session_op(t, op, a, op == Op::PowConst ? nullptr : b, k);
        const NodeId x = t.id_of(as_value(a));
        Graph& g = t.graph();
        if constexpr (op == Op::PowConst) return t.value(g.pow_const(x, k), true);
        const NodeId c = g.constant(k);
        return t.value(g.binary(op, x, c), true);
    }
    if (vb) {
        const int n = as_number(a, k);
        if (n <= 0) {
            if (n == 0) Py_RETURN_NOTIMPLEMENTED;
            return nullptr;
        }
        Tape& t = *as_value(b)->tape;
        if (t.session()) [[unlikely]]
            throw_session_op(t, op == Op::PowConst ? Op::Pow : op, a, b, k);
        const NodeId y = t.id_of(as_value(b));
        Graph& g = t.graph();
        const NodeId c = g.constant(k);
        return t.value(g.binary(op == Op::PowConst ? Op::Pow : op, c, y), true);  // 2 ** x
    }
    Py_RETURN_NOTIMPLEMENTED;
    MGRAD_CATCH(nullptr)
}

template <Op op>
PyObject* unary(PyObject* self) {
    MGRAD_TRY
    Tape& t = *as_value(self)->tape;
    if (t.session()) [[unlikely]]
        throw_session_op(t, op, self, nullptr, 0.0);
    const NodeId x = t.id_of(as_value(self));
    return t.value(t.graph().unary(op, x), true);
    MGRAD_CATCH(nullptr)
}

// --- number protocol ------------------------------------------------------------------------

PyObject* nb_add(PyObject* a, PyObject* b) { return binary<Op::Add>(a, b); }
PyObject* nb_subtract(PyObject* a, PyObject* b) { return binary<Op::Sub>(a, b); }
PyObject* nb_multiply(PyObject* a, PyObject* b) { return binary<Op::Mul>(a, b); }
PyObject* nb_true_divide(PyObject* a, PyObject* b) { return binary<Op::Div>(a, b); }
PyObject* nb_power(PyObject* a, PyObject* b, PyObject* mod) {
    if (mod != Py_None) Py_RETURN_NOTIMPLEMENTED;
    // Value ** number: a constant exponent, one node (`**2`); anything ** Value: Pow.
    if (is_value(a) && !is_value(b)) return binary<Op::PowConst>(a, b);
    return binary<Op::Pow>(a, b);
}
PyObject* nb_negative(PyObject* a) { return unary<Op::Neg>(a); }
PyObject* nb_positive(PyObject* a) {
    Py_INCREF(a);
    return a;
}
PyObject* nb_absolute(PyObject* a) { return unary<Op::Abs>(a); }

// --- methods --------------------------------------------------------------------------------

template <Op op>
PyObject* method(PyObject* self, PyObject*) {
    return unary<op>(self);
}

// --- a session's Values: their operations are the session's statements (session_statement.hpp)

/// The name the session binds to the Value's node, or an Error that says what to do instead of
/// `what` (the statement needs a name to speak of the node).
std::string name_for(Tape& t, NodeId id, std::string_view what, std::string_view instead) {
    if (std::optional<std::string> name = bound_name(t, id)) return *name;
    throw Error(
        fmt::format("{}: '{}' is not bound to a name in its session, and the session's "
                    "statements (which :save keeps) speak of nodes by name; {}",
                    what, t.session()->node_name(id), instead));
}

PyObject* m_backward(PyObject* self, PyObject*) {
    MGRAD_TRY
    Tape& t = *as_value(self)->tape;
    const NodeId id = t.id_of(as_value(self));
    if (t.session()) {
        // The REPL's rule: every gradient starts from 0.
        run_session_statement(
            t, ":backward " + name_for(t, id, "backward()", "bind it first: s['L'] = value"));
        Py_RETURN_NONE;
    }
    t.graph().backward_accumulating(id);  // micrograd's rule
    Py_RETURN_NONE;
    MGRAD_CATCH(nullptr)
}

PyObject* m_backward_step(PyObject* self, PyObject*) {
    MGRAD_TRY
    Tape& t = *as_value(self)->tape;
    const NodeId id = t.id_of(as_value(self));
    if (t.session())
        throw Error(
            "_backward() by hand is micrograd's, on the default graph: a session's "
            "gradients come from :backward (s.run(':backward L'))");
    t.graph().propagate(id);
    Py_RETURN_NONE;
    MGRAD_CATCH(nullptr)
}

// One method per function of one argument in the op table (`x.tanh()`, `x.relu()` …), named
// and documented by its row, then the others. Filled in by init_value_type(), before the type
// is made from it.
std::vector<PyMethodDef> methods;
std::vector<std::string> method_docs;  // reserved once: the c_str()s stay where they are

constexpr bool is_method(Op op) {
    return op_info(op).kind == OpKind::Function && op_info(op).arity == 1;
}

template <Op op>
constexpr PyCFunction method_of() {
    if constexpr (is_method(op))
        return method<op>;
    else
        return nullptr;
}

template <std::size_t... I>
void add_op_methods(std::index_sequence<I...>) {
    constexpr PyCFunction by_op[] = {method_of<static_cast<Op>(I)>()...};
    for (std::size_t i = 0; i < op_count; ++i) {
        const OpInfo& info = op_info(static_cast<Op>(i));
        if (!is_method(static_cast<Op>(i))) continue;
        // "tanh($self, /)\n--\n\n…": Python reads the signature from the docstring. (The
        // table's names are literals, so they end in '\0'.)
        method_docs.push_back(std::string(info.name) + "($self, /)\n--\n\n" +
                              std::string(info.help));
        methods.push_back({info.name.data(), by_op[i], METH_NOARGS, method_docs.back().c_str()});
    }
}

void make_methods() {
    method_docs.reserve(op_count);
    add_op_methods(std::make_index_sequence<op_count>{});
    methods.push_back(
        {"backward", m_backward, METH_NOARGS,
         "backward($self, /)\n--\n\n"
         "micrograd's backward(): this value's grad becomes 1, and every value it depends on "
         "adds d(self)/d(value) to its grad, computed values too, so gradients add up across "
         "calls (zero_grad() between steps). On a Session's graph it is `:backward NAME`, the "
         "REPL's rule: every gradient starts from 0."});
    methods.push_back(
        {"_backward", m_backward_step, METH_NOARGS,
         "_backward($self, /)\n--\n\n"
         "micrograd's _backward(), as the lecture calls it by hand: adds this value's grad times "
         "each local derivative into its operands' grads (nothing for an input)."});
    methods.push_back({nullptr, nullptr, 0, nullptr});
}

// --- properties -----------------------------------------------------------------------------

PyObject* get_data(PyObject* self, void*) {
    MGRAD_TRY
    Tape& t = *as_value(self)->tape;
    return PyFloat_FromDouble(t.graph().data(t.id_of(as_value(self))));
    MGRAD_CATCH(nullptr)
}

int set_number(PyObject* self, PyObject* value, bool data) {
    MGRAD_TRY
    if (!value) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete a Value's data or grad");
        return -1;
    }
    double x = 0.0;
    const int n = as_number(value, x);
    if (n < 0) return -1;
    if (n == 0) {
        PyErr_Format(PyExc_TypeError, "a Value's %s must be a real number, not '%.200s'",
                     data ? "data" : "grad", Py_TYPE(value)->tp_name);
        return -1;
    }
    Tape& t = *as_value(self)->tape;
    const NodeId id = t.id_of(as_value(self));
    if (t.session()) {
        if (!data)
            throw Error(
                "a session's gradients come from :backward, which starts every gradient "
                "from 0 (s.run(':backward L')); one set from Python would not be kept "
                "by :save");
        // The REPL's `a.data = 7`: what depends on it is recomputed when read.
        const std::string name =
            name_for(t, id, "setting data", "set a named leaf (s['a'].data = 7)");
        const std::string statement = name + ".data = ";
        run_session_statement(t, statement + number_statement_text(x), statement.size());
        return 0;
    }
    // micrograd's rule: values computed before keep their numbers.
    if (data)
        t.graph().assign(id, x);
    else
        t.graph().set_grad(id, x);
    return 0;
    MGRAD_CATCH(-1)
}

int set_data(PyObject* self, PyObject* value, void*) { return set_number(self, value, true); }

PyObject* get_grad(PyObject* self, void*) {
    MGRAD_TRY
    Tape& t = *as_value(self)->tape;
    return PyFloat_FromDouble(t.graph().grad(t.id_of(as_value(self))));
    MGRAD_CATCH(nullptr)
}

int set_grad(PyObject* self, PyObject* value, void*) { return set_number(self, value, false); }

PyObject* get_label(PyObject* self, void*) {
    MGRAD_TRY
    Tape& t = *as_value(self)->tape;
    return to_str(t.graph().label(t.id_of(as_value(self))));
    MGRAD_CATCH(nullptr)
}

int set_label(PyObject* self, PyObject* value, void*) {
    MGRAD_TRY
    if (!value || !PyUnicode_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "a Value's label must be a str");
        return -1;
    }
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(value, &size);
    if (!text) return -1;
    Tape& t = *as_value(self)->tape;
    const NodeId id = t.id_of(as_value(self));
    if (t.session())
        throw Error(
            "on a session's graph, labels are the names the session binds: bind the "
            "Value to a name instead (s['x'] = value)");
    t.graph().set_label(id, {text, static_cast<std::size_t>(size)});
    return 0;
    MGRAD_CATCH(-1)
}

PyObject* get_op(PyObject* self, void*) {
    MGRAD_TRY
    Tape& t = *as_value(self)->tape;
    return to_str(op_info(t.graph().op(t.id_of(as_value(self)))).name);
    MGRAD_CATCH(nullptr)
}

// micrograd's spelling of the op, from its row: '' for inputs, '+', '*', '**2', 'ReLU' …
PyObject* get_micrograd_op(PyObject* self, void*) {
    MGRAD_TRY
    Tape& t = *as_value(self)->tape;
    const NodeId id = t.id_of(as_value(self));
    const Op op = t.graph().op(id);
    const std::string_view name = op_info(op).micrograd;
    const std::size_t k_at = name.find("{k}");
    if (k_at == std::string_view::npos) return to_str(name);
    // f'**{other}' in micrograd: an int exponent prints without '.0'.
    const double k = t.graph().exponent(id);
    PyObject* number =
        (std::trunc(k) == k && std::fabs(k) < 1e15) ? PyLong_FromDouble(k) : PyFloat_FromDouble(k);
    if (!number) return nullptr;
    PyObject* k_text = PyObject_Str(number);
    Py_DECREF(number);
    if (!k_text) return nullptr;
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(k_text, &size);
    if (!text) {
        Py_DECREF(k_text);
        return nullptr;
    }
    std::string out(name.substr(0, k_at));
    out.append(text, static_cast<std::size_t>(size));
    out += name.substr(k_at + 3);
    Py_DECREF(k_text);
    return to_str(out);
    MGRAD_CATCH(nullptr)
}

PyObject* parents_tuple(PyObject* self) {
    Tape& t = *as_value(self)->tape;
    const Parents p = t.graph().parents(t.id_of(as_value(self)));
    PyObject* tuple = PyTuple_New(static_cast<Py_ssize_t>(p.size()));
    if (!tuple) return nullptr;
    for (std::size_t i = 0; i < p.size(); ++i) {
        PyObject* v = t.value(p[i], false);
        if (!v) {
            Py_DECREF(tuple);
            return nullptr;
        }
        PyTuple_SET_ITEM(tuple, static_cast<Py_ssize_t>(i), v);
    }
    return tuple;
}

PyObject* get_parents(PyObject* self, void*) {
    MGRAD_TRY
    return parents_tuple(self);
    MGRAD_CATCH(nullptr)
}

PyObject* get_prev(PyObject* self, void*) {
    MGRAD_TRY
    PyObject* tuple = parents_tuple(self);
    if (!tuple) return nullptr;
    PyObject* set = PySet_New(tuple);
    Py_DECREF(tuple);
    return set;
    MGRAD_CATCH(nullptr)
}

PyGetSetDef getset[] = {
    {"data", get_data, set_data,
     "The value (a float). Setting it changes this Value only, as in micrograd: Values "
     "computed from it keep the numbers they were computed with (mgrad's optimisers recompute "
     "them). On a Session's graph it is the REPL's `a.data = 7`: what depends on it is "
     "recomputed when read.",
     nullptr},
    {"grad", get_grad, set_grad,
     "d(root)/d(self), added up over root.backward() calls until set to 0 (zero_grad()).", nullptr},
    {"label", get_label, set_label, "The name shown in drawings ('' when none).", nullptr},
    {"op", get_op, nullptr, "The op's name: 'leaf', 'const', 'add', 'mul', 'tanh' …", nullptr},
    {"parents", get_parents, nullptr, "The operands, in order (a tuple of Values).", nullptr},
    {"_prev", get_prev, nullptr, "micrograd's name: the operands as a set.", nullptr},
    {"_op", get_micrograd_op, nullptr, "micrograd's name: '', '+', '*', '**2', 'ReLU' …", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

// --- life -----------------------------------------------------------------------------------

PyObject* tp_new(PyTypeObject*, PyObject* args, PyObject* kwargs) {
    MGRAD_TRY
    // micrograd's signature (the lecture's, with `label`), so that its habits work or say what
    // to write instead.
    static const char* keywords[] = {"data", "_children", "_op", "label", nullptr};
    PyObject* data = nullptr;
    PyObject* children = nullptr;
    PyObject* op = nullptr;
    PyObject* label_object = nullptr;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OOO:Value", const_cast<char**>(keywords),
                                     &data, &children, &op, &label_object))
        return nullptr;
    if (children && PyUnicode_Check(children) && !op) {
        PyErr_Format(PyExc_TypeError,
                     "Value(data, _children=(), _op='', label=''): the second argument is "
                     "micrograd's _children; to name the Value write Value(..., label=%R)",
                     children);
        return nullptr;
    }
    // micrograd's internal form makes computed nodes by hand; here the operators make them.
    const int has_children = children ? PyObject_IsTrue(children) : 0;
    const int has_op = op ? PyObject_IsTrue(op) : 0;
    if (has_children < 0 || has_op < 0) return nullptr;
    if (has_children || has_op) {
        PyErr_SetString(PyExc_TypeError, constructor_hint(children, op).c_str());
        return nullptr;
    }
    const char* label = "";
    Py_ssize_t label_size = 0;
    if (label_object) {
        if (!PyUnicode_Check(label_object)) {
            PyErr_Format(PyExc_TypeError, "a Value's label must be a str, not '%.200s'",
                         Py_TYPE(label_object)->tp_name);
            return nullptr;
        }
        label = PyUnicode_AsUTF8AndSize(label_object, &label_size);
        if (!label) return nullptr;
    }
    double x = 0.0;
    const int n = as_number(data, x);
    if (n < 0) return nullptr;
    if (n == 0) {
        PyErr_Format(PyExc_TypeError, "Value(data): data must be a real number, not '%.200s'",
                     Py_TYPE(data)->tp_name);
        return nullptr;
    }
    Tape& t = default_tape();
    return t.value(t.graph().leaf(x, {label, static_cast<std::size_t>(label_size)}), true);
    MGRAD_CATCH(nullptr)
}

void tp_dealloc(PyObject* self) {
    ValueObject* v = as_value(self);
    Tape* t = v->tape;
    PyTypeObject* type = Py_TYPE(self);
    t->forget(v);
    PyObject_Free(self);
    Py_DECREF(type);  // instances of a heap type own a reference to it
    t->release();
}

PyObject* append_float(std::string& out, double x) {
    char* s = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, nullptr);
    if (!s) return nullptr;
    out += s;
    PyMem_Free(s);
    return Py_None;
}

PyObject* tp_repr(PyObject* self) {
    ValueObject* v = as_value(self);
    Tape& t = *v->tape;
    try {
        const NodeId id = t.id_of(v);
        std::string text = "Value(data=";
        if (!append_float(text, t.graph().data(id))) return nullptr;
        text += ", grad=";
        if (!append_float(text, t.graph().grad(id))) return nullptr;
        text += ")";
        return to_str(text);
    } catch (const Error&) {
        return to_str("Value(<stale: its session was reset>)");
    } catch (...) {
        set_error_from_current();
        return nullptr;
    }
}

// clang-format off
PyType_Slot slots[] = {
    {Py_tp_doc, const_cast<char*>(
        "Value(data, _children=(), _op='', label='')\n--\n\n"
        "A scalar in an automatic-differentiation graph, micrograd's Value on mgrad's tape.\n"
        "Arithmetic with Values and numbers records new Values; backward() fills in grads.")},
    {Py_tp_new, reinterpret_cast<void*>(tp_new)},
    {Py_tp_dealloc, reinterpret_cast<void*>(tp_dealloc)},
    {Py_tp_repr, reinterpret_cast<void*>(tp_repr)},
    {Py_tp_methods, nullptr},  // init_value_type(): methods.data()
    {Py_tp_getset, getset},
    {Py_nb_add, reinterpret_cast<void*>(nb_add)},
    {Py_nb_subtract, reinterpret_cast<void*>(nb_subtract)},
    {Py_nb_multiply, reinterpret_cast<void*>(nb_multiply)},
    {Py_nb_true_divide, reinterpret_cast<void*>(nb_true_divide)},
    {Py_nb_power, reinterpret_cast<void*>(nb_power)},
    {Py_nb_negative, reinterpret_cast<void*>(nb_negative)},
    {Py_nb_positive, reinterpret_cast<void*>(nb_positive)},
    {Py_nb_absolute, reinterpret_cast<void*>(nb_absolute)},
    {0, nullptr}};
// clang-format on

PyType_Spec spec = {"mgrad.Value", sizeof(ValueObject), 0, Py_TPFLAGS_DEFAULT, slots};

}  // namespace

PyTypeObject* value_type() noexcept { return the_type; }

Tape& default_tape() noexcept { return *the_default_tape; }

int as_number(PyObject* o, double& out) noexcept {
    if (PyFloat_Check(o)) {  // float, numpy.float64
        out = PyFloat_AS_DOUBLE(o);
        return 1;
    }
    if (PyLong_Check(o)) {  // int, bool
        out = PyLong_AsDouble(o);
        return out == -1.0 && PyErr_Occurred() ? -1 : 1;
    }
    // Other scalars that convert to float (numpy.float32, numpy.int64 …), but not containers
    // such as a one-element NumPy array, which also converts.
    PyTypeObject* type = Py_TYPE(o);
    const PyNumberMethods* nb = type->tp_as_number;
    if (!nb || (!nb->nb_float && !nb->nb_index) || is_value(o)) return 0;
    if ((type->tp_as_mapping && type->tp_as_mapping->mp_length) ||
        (type->tp_as_sequence && type->tp_as_sequence->sq_length))
        return 0;
    out = PyFloat_AsDouble(o);
    return out == -1.0 && PyErr_Occurred() ? -1 : 1;
}

void init_value_type(PyObject* module) {
    the_default_tape = Tape::make_default();  // lives as long as the process
    make_methods();
    for (PyType_Slot& slot : slots)
        if (slot.slot == Py_tp_methods) slot.pfunc = methods.data();
    PyObject* type = PyType_FromSpec(&spec);
    if (!type) throw Error("cannot create mgrad.Value");
    the_type = reinterpret_cast<PyTypeObject*>(type);
    // NumPy scalars on the left (`np.int64(-1) * v`) hand the operation to Value instead of
    // making an object array.
    if (PyObject_SetAttrString(type, "__array_ufunc__", Py_None) < 0 ||
        PyModule_AddObject(module, "Value", type) < 0)
        throw Error("cannot add mgrad.Value to the module");
    Py_INCREF(type);  // the module's reference was stolen; keep ours in the_type
}

}  // namespace mgrad::python
