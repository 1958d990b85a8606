// mgrad._core — the native half of the Python package (the other half is mgrad/*.py).
#include <pybind11/pybind11.h>

#include <string>

#include "errors.hpp"
#include "mgrad/engine/op.hpp"
#include "mgrad/version.hpp"
#include "module.hpp"
#include "value.hpp"

namespace py = pybind11;
using namespace mgrad::python;

PYBIND11_MODULE(_core, m) {
    m.doc() = "mgrad's engine, renderer and language (use the mgrad package, not this module)";
    init_errors();
    init_value_type(m.ptr());
    m.attr("__version__") = std::string(mgrad::version_string);

    m.def(
        "collect", [] { return default_tape().collect(); },
        "Drop every node of the default graph that no live Value depends on, now; returns the "
        "number of nodes kept. (This happens by itself as the graph grows.)");
    m.def(
        "tape_stats",
        [] {
            const Tape::Stats s = default_tape().stats();
            py::dict d;
            d["nodes"] = s.nodes;
            d["values"] = s.values;
            d["collections"] = s.collections;
            d["next_collection"] = s.next_collection;
            d["tapes"] = s.tapes;
            return d;
        },
        "The default graph: nodes on the tape, Values Python holds, collections so far, the "
        "tape size that triggers the next one; and the graphs alive (this one and sessions').");
    m.def(
        "set_min_growth", [](std::size_t nodes) { default_tape().set_min_growth(nodes); },
        py::arg("nodes"),
        "The default graph grows by at least this many nodes between collections (262,144).");

    m.def(
        "ops",
        [] {
            py::list rows;
            for (std::size_t i = 0; i < mgrad::op_count; ++i) {
                const mgrad::OpInfo& info = mgrad::op_info(static_cast<mgrad::Op>(i));
                static constexpr const char* kinds[] = {"leaf", "unary", "binary", "function",
                                                        "fused"};
                py::dict row;
                row["name"] = std::string(info.name);
                row["symbol"] = std::string(info.symbol);
                row["arity"] = info.arity;
                row["kind"] = kinds[static_cast<int>(info.kind)];
                row["formula"] = std::string(info.formula);
                row["torch"] = std::string(info.torch);
                row["help"] = std::string(info.help);
                row["micrograd"] = std::string(info.micrograd);
                row["commutes"] = info.commutes;
                rows.append(row);
            }
            return rows;
        },
        "The op table (include/mgrad/engine/detail/op_table.inc), one dict a row: name, symbol, "
        "arity, kind, formula, torch, help, micrograd (its `_op`), commutes.");

    register_nn(m);
    register_draw(m);
    register_session(m);
}
