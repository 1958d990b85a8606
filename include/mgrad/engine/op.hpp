// Op — what a node on the tape computes.
//
// Every operation is one row of detail/op_table.inc: its name and symbol, how many parents it
// reads, its forward formula, how it is written, and the gradient each parent receives. The
// enum and op_info() below, the forward and backward passes, grad(f, x), the chain-rule words of
// `:trace` and the exports are all generated from that row, so adding an op is one row.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mgrad/support/export.hpp"

namespace mgrad {

// MGRAD_OP rows (detail/op_table.inc) seen through one column at a time.
#define MGRAD_OP_ENUM(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                      commutes, problem)                                                         \
    E,
#define MGRAD_OP_INFO(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                      commutes, problem)                                                         \
    {#ident, sym, ar, OpKind::kind, formula, torch, help, micrograd, commutes},

/// Every operation a node can record. Leaf and Const are inputs; the others compute.
enum class Op : std::uint8_t {
#define MGRAD_OP MGRAD_OP_ENUM
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
};

inline constexpr std::size_t op_count = 0
#define MGRAD_OP(...) +1
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
    ;

/// Leaf: no parents. Unary/Binary: operators (`-a`, `a + b`). Function: callable by name in
/// the language (`tanh(x)`). Fused: made by libraries for speed or by grad(), never typed.
enum class OpKind : std::uint8_t { Leaf, Unary, Binary, Function, Fused };

struct MGRAD_API OpInfo {
    std::string_view name;    ///< stable identifier: "add", "tanh", "pow_const" …
    std::string_view symbol;  ///< how the op is shown: "+", "*", "tanh", "**" …
    std::uint8_t arity;       ///< parents read: 0 to 3
    OpKind kind;              ///< Function ops are callable by name in the language
    std::string_view
        formula;             ///< the node from its parents: "{a} * {b}", "tanh({a})", "{a} ** {k}"
    std::string_view torch;  ///< the same in PyTorch, for `:export torch`
    std::string_view help;   ///< a functions's `:help` sentence, with its derivative
    std::string_view micrograd;  ///< micrograd's `_op`: "+", "ReLU", "**{k}" ({k}: the exponent)
    bool commutes;               ///< a two-operand op whose operands can be swapped
};

namespace detail {
inline constexpr std::array<OpInfo, op_count> op_table{{
#define MGRAD_OP MGRAD_OP_INFO
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
}};
}  // namespace detail

[[nodiscard]] constexpr const OpInfo& op_info(Op op) noexcept {
    return detail::op_table[static_cast<std::size_t>(op)];
}

[[nodiscard]] constexpr bool is_leaf(Op op) noexcept { return op == Op::Leaf || op == Op::Const; }

/// The op whose name is `name` ("tanh", "add" …), if any.
[[nodiscard]] constexpr std::optional<Op> op_from_name(std::string_view name) noexcept {
    for (std::size_t i = 0; i < op_count; ++i)
        if (detail::op_table[i].name == name) return static_cast<Op>(i);
    return std::nullopt;
}

/// The warning for a NaN or infinity that `op` made from the finite operands `a` and `b` (for a
/// PowConst, `b` is the exponent): a {fmt} format with the fields {a}, {b} and {r} (the result),
/// e.g. "division by zero: {a} / {b} = {r}". From the row's `problem` column.
[[nodiscard]] inline std::string_view op_problem(Op op, double a, double b) noexcept {
    switch (op) {
#define MGRAD_OP(E, ident, sym, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                         \
    case Op::E:                                                                             \
        return problem;
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
    }
    (void)a;
    (void)b;
    return "";
}

}  // namespace mgrad
