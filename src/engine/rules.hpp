// The rule language of the op table (include/mgrad/engine/detail/op_table.inc).
//
// A row writes the gradient a parent receives as a small expression over A, B, C (the parents'
// data), Y (the node's data), G (the node's gradient) and K (a PowConst's exponent), e.g.
// `B * G` for the first parent of a product. The expression is a compile-time value, and the
// same value is read four ways:
//   num()        a double, inlined into Graph::backward's loop (as fast as a hand-written case)
//   sym()        a Value on the tape, for grad(f, x): the backward pass written out as a graph
//   print()      the words of a chain-rule step, `b.data * e.grad`, or with numbers, `-3 * -2`
//   local_of()   the same expression with G = 1: the local derivative ∂node/∂parent
// so the number backward() adds, the graph grad() records and the sentence `:trace` prints
// cannot disagree. Internal to the engine.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>

#include "mgrad/engine/graph.hpp"
#include "mgrad/engine/value.hpp"
#include "mgrad/support/number.hpp"

namespace mgrad::rules {

// --- the expressions ---------------------------------------------------------------------------

struct ExprTag {};
template <class T>
concept Expr = std::is_base_of_v<ExprTag, T>;

enum class Var : std::uint8_t { A, B, C, Y, G, K };
template <Var v>
struct V : ExprTag {};
inline constexpr V<Var::A> A;
inline constexpr V<Var::B> B;
inline constexpr V<Var::C> C;
inline constexpr V<Var::Y> Y;
inline constexpr V<Var::G> G;
inline constexpr V<Var::K> K;

struct Lit : ExprTag {
    double value;
};

/// x + y, x - y, x * y, x / y, and x ** y (Pow: by a node, std::pow; PowK: by a constant, as
/// PowConst computes it).
enum class BinOp : std::uint8_t { Add, Sub, Mul, Div, Pow, PowK };
template <BinOp o, Expr L, Expr R>
struct Bin : ExprTag {
    L l;
    R r;
};
template <Expr X>
struct Neg : ExprTag {
    X x;
};
/// x * x, printed x**2.
template <Expr X>
struct Sq : ExprTag {
    X x;
};
/// Another op of the table applied to x (log, sin, cos, sign …).
template <Op F, Expr X>
struct Call : ExprTag {
    X x;
};

// Conditions: an expression compared with a number, and their combinations.
enum class CmpOp : std::uint8_t { Gt, Ge, Eq, Ne };
template <class T>
struct IsCond : std::false_type {};
template <class T>
concept Cond = IsCond<T>::value;
template <CmpOp o, Expr X>
struct Cmp {
    X x;
    double rhs;
};
template <Cond P, Cond Q>
struct And {
    P p;
    Q q;
};
template <Cond P>
struct Not {
    P p;
};
template <CmpOp o, Expr X>
struct IsCond<Cmp<o, X>> : std::true_type {};
template <Cond P, Cond Q>
struct IsCond<And<P, Q>> : std::true_type {};
template <Cond P>
struct IsCond<Not<P>> : std::true_type {};

/// x where the condition holds, exactly 0 elsewhere (even where x is inf or NaN); printed as x.
template <Cond P, Expr X>
struct When : ExprTag {
    P c;
    X x;
};
/// The same, printed `(cond) * x`: relu's gradient.
template <Cond P, Expr X>
struct Gate : ExprTag {
    P c;
    X x;
};
/// 0, printed `0 * x`: the gradient of a piecewise-constant op.
template <Expr X>
struct ZeroTimes : ExprTag {
    X x;
};
/// The condition as a number, printed `(cond)` and evaluated 1 or 0: Gate with G = 1.
template <Cond P>
struct Indicator : ExprTag {
    P c;
};
/// A parent the op does not have.
struct None : ExprTag {};
inline constexpr None none;

template <class T>
constexpr auto lift(T x) {
    if constexpr (Expr<T>)
        return x;
    else
        return Lit{{}, static_cast<double>(x)};
}
template <class L, class R>
concept Operands = (Expr<L> || Expr<R>) && (Expr<L> || std::is_arithmetic_v<L>) &&
                   (Expr<R> || std::is_arithmetic_v<R>);

template <class L, class R>
    requires Operands<L, R>
constexpr auto operator+(L l, R r) {
    return Bin<BinOp::Add, decltype(lift(l)), decltype(lift(r))>{{}, lift(l), lift(r)};
}
template <class L, class R>
    requires Operands<L, R>
constexpr auto operator-(L l, R r) {
    return Bin<BinOp::Sub, decltype(lift(l)), decltype(lift(r))>{{}, lift(l), lift(r)};
}
template <class L, class R>
    requires Operands<L, R>
constexpr auto operator*(L l, R r) {
    return Bin<BinOp::Mul, decltype(lift(l)), decltype(lift(r))>{{}, lift(l), lift(r)};
}
template <class L, class R>
    requires Operands<L, R>
constexpr auto operator/(L l, R r) {
    return Bin<BinOp::Div, decltype(lift(l)), decltype(lift(r))>{{}, lift(l), lift(r)};
}
template <Expr X>
constexpr auto operator-(X x) {
    return Neg<X>{{}, x};
}
template <Expr L, class R>
constexpr auto pow(L l, R r) {
    return Bin<BinOp::Pow, L, decltype(lift(r))>{{}, l, lift(r)};
}
template <Expr L, class R>
constexpr auto powk(L l, R r) {
    return Bin<BinOp::PowK, L, decltype(lift(r))>{{}, l, lift(r)};
}
template <Expr X>
constexpr auto sq(X x) {
    return Sq<X>{{}, x};
}
template <Op F, Expr X>
constexpr auto call(X x) {
    return Call<F, X>{{}, x};
}
template <Expr X>
constexpr auto operator>(X x, double r) {
    return Cmp<CmpOp::Gt, X>{x, r};
}
template <Expr X>
constexpr auto operator>=(X x, double r) {
    return Cmp<CmpOp::Ge, X>{x, r};
}
template <Expr X>
constexpr auto operator==(X x, double r) {
    return Cmp<CmpOp::Eq, X>{x, r};
}
template <Expr X>
constexpr auto operator!=(X x, double r) {
    return Cmp<CmpOp::Ne, X>{x, r};
}
template <Cond P, Cond Q>
constexpr auto operator&&(P p, Q q) {
    return And<P, Q>{p, q};
}
template <Cond P>
constexpr auto operator!(P p) {
    return Not<P>{p};
}
template <Cond P, Expr X>
constexpr auto when(P c, X x) {
    return When<P, X>{{}, c, x};
}
template <Cond P, Expr X>
constexpr auto gate(P c, X x) {
    return Gate<P, X>{{}, c, x};
}
template <Expr X>
constexpr auto zero_times(X x) {
    return ZeroTimes<X>{{}, x};
}

// --- num: the double backward() adds -----------------------------------------------------------

/// What a rule reads while backward() visits `node`: the operands are loaded only when the rule
/// uses them.
struct NumCtx {
    const Node* nodes;
    const Node& node;
    double g;
};

// One overload per kind of expression; the calls inside are found by argument-dependent lookup
// when a row's expression is instantiated, so the order of the overloads does not matter.
[[nodiscard]] inline double num(V<Var::A>, const NumCtx& x) noexcept {
    return x.nodes[x.node.a].data;
}
[[nodiscard]] inline double num(V<Var::B>, const NumCtx& x) noexcept {
    return x.nodes[x.node.b].data;
}
[[nodiscard]] inline double num(V<Var::C>, const NumCtx& x) noexcept {
    return x.nodes[x.node.c].data;
}
[[nodiscard]] inline double num(V<Var::Y>, const NumCtx& x) noexcept { return x.node.data; }
[[nodiscard]] inline double num(V<Var::G>, const NumCtx& x) noexcept { return x.g; }
[[nodiscard]] inline double num(V<Var::K>, const NumCtx& x) noexcept {
    return Graph::exponent_of(x.node);
}
[[nodiscard]] inline double num(const Lit& e, const NumCtx&) noexcept { return e.value; }
[[nodiscard]] inline double num(None, const NumCtx&) noexcept { return 0.0; }
template <BinOp o, Expr L, Expr R>
[[nodiscard]] inline double num(const Bin<o, L, R>& e, const NumCtx& x) noexcept {
    const double l = num(e.l, x), r = num(e.r, x);
    if constexpr (o == BinOp::Add) return l + r;
    if constexpr (o == BinOp::Sub) return l - r;
    if constexpr (o == BinOp::Mul) return l * r;
    if constexpr (o == BinOp::Div) return l / r;
    if constexpr (o == BinOp::Pow) return std::pow(l, r);
    if constexpr (o == BinOp::PowK) return detail::pow_const(l, r);
}
template <Expr X>
[[nodiscard]] inline double num(const Neg<X>& e, const NumCtx& x) noexcept {
    return -num(e.x, x);
}
template <Expr X>
[[nodiscard]] inline double num(const Sq<X>& e, const NumCtx& x) noexcept {
    const double v = num(e.x, x);
    return v * v;
}
template <Op F, Expr X>
[[nodiscard]] inline double num(const Call<F, X>& e, const NumCtx& x) noexcept {
    return detail::apply(F, num(e.x, x), 0.0);
}
template <CmpOp o, Expr X>
[[nodiscard]] inline bool holds(const Cmp<o, X>& c, const NumCtx& x) noexcept {
    const double v = num(c.x, x);
    if constexpr (o == CmpOp::Gt) return v > c.rhs;
    if constexpr (o == CmpOp::Ge) return v >= c.rhs;
    if constexpr (o == CmpOp::Eq) return v == c.rhs;
    if constexpr (o == CmpOp::Ne) return v != c.rhs;
}
template <Cond P, Cond Q>
[[nodiscard]] inline bool holds(const And<P, Q>& c, const NumCtx& x) noexcept {
    return holds(c.p, x) && holds(c.q, x);
}
template <Cond P>
[[nodiscard]] inline bool holds(const Not<P>& c, const NumCtx& x) noexcept {
    return !holds(c.p, x);
}
template <Cond P, Expr X>
[[nodiscard]] inline double num(const When<P, X>& e, const NumCtx& x) noexcept {
    return holds(e.c, x) ? num(e.x, x) : 0.0;
}
template <Cond P, Expr X>
[[nodiscard]] inline double num(const Gate<P, X>& e, const NumCtx& x) noexcept {
    return holds(e.c, x) ? num(e.x, x) : 0.0;
}
template <Cond P>
[[nodiscard]] inline double num(const Indicator<P>& e, const NumCtx& x) noexcept {
    return holds(e.c, x) ? 1.0 : 0.0;
}
template <Expr X>
[[nodiscard]] inline double num(const ZeroTimes<X>&, const NumCtx&) noexcept {
    return 0.0;
}

// --- keeps_nan: whether a rule passes a NaN gradient on ------------------------------------------

/// True when the rule's value is NaN whenever G is, whatever A, B, C, Y and K are: G reaches the
/// result through +, -, *, / and negation only, and IEEE arithmetic keeps a NaN operand's NaN
/// (0 * NaN is NaN). A condition, a power or a function may drop it, so they count as not
/// keeping it. backward's fresh sweep relies on this (graph.cpp): it must see every NaN.
template <class E>
inline constexpr bool keeps_nan = false;
template <>
inline constexpr bool keeps_nan<V<Var::G>> = true;
template <BinOp o, Expr L, Expr R>
inline constexpr bool keeps_nan<Bin<o, L, R>> = (o == BinOp::Add || o == BinOp::Sub ||
                                                 o == BinOp::Mul || o == BinOp::Div) &&
                                                (keeps_nan<L> || keeps_nan<R>);
template <Expr X>
inline constexpr bool keeps_nan<Neg<X>> = keeps_nan<X>;
template <Expr X>
inline constexpr bool keeps_nan<Sq<X>> = keeps_nan<X>;

// --- local_of: the rule with G = 1 ----------------------------------------------------------------

/// The local derivative ∂node/∂parent: the rule with G replaced by 1, and products with that 1
/// dropped (`B * G` becomes `B`, `G / B` is `1 / B`, `gate(c, G)` is the indicator `(c)`).
template <Expr E>
constexpr auto local_of(const E& e) {
    return e;
}
constexpr auto local_of(V<Var::G>) { return Lit{{}, 1.0}; }
template <BinOp o, Expr L, Expr R>
constexpr auto local_of(const Bin<o, L, R>& e) {
    if constexpr (o == BinOp::Mul && std::is_same_v<R, V<Var::G>>)
        return local_of(e.l);
    else if constexpr (o == BinOp::Mul && std::is_same_v<L, V<Var::G>>)
        return local_of(e.r);
    else if constexpr (o == BinOp::Mul && std::is_same_v<L, Neg<V<Var::G>>>)
        return -local_of(e.r);
    else {
        using LL = decltype(local_of(e.l));
        using RR = decltype(local_of(e.r));
        return Bin<o, LL, RR>{{}, local_of(e.l), local_of(e.r)};
    }
}
template <Expr X>
constexpr auto local_of(const Neg<X>& e) {
    if constexpr (std::is_same_v<X, V<Var::G>>)
        return Lit{{}, -1.0};
    else
        return -local_of(e.x);
}
template <Cond P, Expr X>
constexpr auto local_of(const When<P, X>& e) {
    return when(e.c, local_of(e.x));
}
template <Cond P, Expr X>
constexpr auto local_of(const Gate<P, X>& e) {
    if constexpr (std::is_same_v<X, V<Var::G>>)
        return Indicator<P>{{}, e.c};
    else
        return gate(e.c, local_of(e.x));
}
template <Expr X>
constexpr auto local_of(const ZeroTimes<X>&) {
    return Lit{{}, 0.0};
}

// --- g_first: grad() records `G * X`, as a backward pass multiplies ------------------------------

template <Expr E>
constexpr auto g_first(const E& e) {
    return e;
}
template <Expr L>
constexpr auto g_first(const Bin<BinOp::Mul, L, V<Var::G>>& e) {
    return Bin<BinOp::Mul, V<Var::G>, L>{{}, G, e.l};
}
template <Cond P, Expr X>
constexpr auto g_first(const When<P, X>& e) {
    return when(e.c, g_first(e.x));
}

}  // namespace mgrad::rules
