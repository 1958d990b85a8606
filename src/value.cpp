#include "mgrad/value.hpp"

#include <fmt/format.h>

namespace mgrad {

void Value::throw_invalid() const {
    if (m_graph == nullptr) throw Error("use of an empty Value (default-constructed, never assigned)");
    throw Error(fmt::format(
        "use of a stale Value (node {}): its graph was cleared after the Value was made", m_id));
}

Value make_unary(Op op, const Value& a) {
    Graph& g = a.graph();
    return {g, g.unary(op, a.m_id)};
}

Value make_binary(Op op, const Value& a, const Value& b) {
    Graph& g = a.graph();
    if (&b.graph() != &g)
        throw Error(fmt::format("cannot combine Values from two different graphs in '{}'",
                                op_info(op).symbol));
    return {g, g.binary(op, a.m_id, b.m_id)};
}

namespace {
Value constant_like(const Value& other, double value) {
    return Value::constant(value, other.graph());
}
}  // namespace

Value operator+(const Value& a, const Value& b) { return make_binary(Op::Add, a, b); }
Value operator-(const Value& a, const Value& b) { return make_binary(Op::Sub, a, b); }
Value operator*(const Value& a, const Value& b) { return make_binary(Op::Mul, a, b); }
Value operator/(const Value& a, const Value& b) { return make_binary(Op::Div, a, b); }
Value operator+(const Value& a, double b) { return a + constant_like(a, b); }
Value operator-(const Value& a, double b) { return a - constant_like(a, b); }
Value operator*(const Value& a, double b) { return a * constant_like(a, b); }
Value operator/(const Value& a, double b) { return a / constant_like(a, b); }
Value operator+(double a, const Value& b) { return constant_like(b, a) + b; }
Value operator-(double a, const Value& b) { return constant_like(b, a) - b; }
Value operator*(double a, const Value& b) { return constant_like(b, a) * b; }
Value operator/(double a, const Value& b) { return constant_like(b, a) / b; }
Value operator-(const Value& a) { return make_unary(Op::Neg, a); }

Value& Value::operator+=(const Value& rhs) { return *this = *this + rhs; }
Value& Value::operator-=(const Value& rhs) { return *this = *this - rhs; }
Value& Value::operator*=(const Value& rhs) { return *this = *this * rhs; }
Value& Value::operator/=(const Value& rhs) { return *this = *this / rhs; }
Value& Value::operator+=(double rhs) { return *this = *this + rhs; }
Value& Value::operator-=(double rhs) { return *this = *this - rhs; }
Value& Value::operator*=(double rhs) { return *this = *this * rhs; }
Value& Value::operator/=(double rhs) { return *this = *this / rhs; }

Value pow(const Value& base, double exponent) {
    Graph& g = base.graph();
    return {g, g.pow_const(base.m_id, exponent)};
}
Value pow(const Value& base, const Value& exponent) { return make_binary(Op::Pow, base, exponent); }
Value pow(double base, const Value& exponent) {
    return make_binary(Op::Pow, constant_like(exponent, base), exponent);
}

Value tanh(const Value& x) { return make_unary(Op::Tanh, x); }
Value exp(const Value& x) { return make_unary(Op::Exp, x); }
Value log(const Value& x) { return make_unary(Op::Log, x); }
Value relu(const Value& x) { return make_unary(Op::Relu, x); }
Value sigmoid(const Value& x) { return make_unary(Op::Sigmoid, x); }
Value sqrt(const Value& x) { return make_unary(Op::Sqrt, x); }
Value abs(const Value& x) { return make_unary(Op::Abs, x); }
Value sin(const Value& x) { return make_unary(Op::Sin, x); }
Value cos(const Value& x) { return make_unary(Op::Cos, x); }

}  // namespace mgrad
