#include "mgrad/engine/value.hpp"

#include <fmt/format.h>

#include <ostream>

#include "mgrad/support/number.hpp"

namespace mgrad {

// The ops themselves are inline in value.hpp; only the cold error paths live here.

void Value::throw_invalid() const {
    if (m_graph == nullptr) throw_empty();
    throw Error(fmt::format(
        "use of a stale Value (node {}): its graph was cleared after the Value was made", m_id));
}

void Value::throw_empty() {
    throw Error("use of an empty Value (default-constructed, never assigned)");
}

void Value::throw_mixed(Op op) {
    throw Error(
        fmt::format("cannot combine Values from two different graphs in '{}'", op_info(op).symbol));
}

std::ostream& operator<<(std::ostream& out, const Value& v) {
    if (!v.valid()) return out << "Value(invalid)";
    return out << fmt::format("Value(data={}, grad={})", format_number(v.data()),
                              format_number(v.grad()));
}

void Value::admit(Value a) {
    a.check();
    a.m_graph->forward();  // the gate also fails while recomputation is pending
}

void Value::admit(Value a, Value b, Op op) {
    a.check();  // the same errors, in the same order, as checking each handle in turn
    b.check();
    if (b.m_graph != a.m_graph) throw_mixed(op);
    a.m_graph->forward();
}

}  // namespace mgrad
