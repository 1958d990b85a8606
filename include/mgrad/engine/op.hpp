// Op — what a node on the tape computes.
//
// The enum is the single source of truth for every operation: its printable name, its symbol in
// formulas and pictures, how many parents it reads, and (in graph.cpp) its forward formula and
// its partial derivatives. Printing, the language's function table and the renderer all read
// `op_info()`, so adding an op is one enum entry, one table row and two switch cases.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mgrad {

enum class Op : std::uint8_t {
    Leaf,      ///< an input: its data is set by the user, its grad accumulates
    Const,     ///< a constant that appeared in a formula (`2` in `2*x`); also a leaf
    Add,       ///< a + b
    Sub,       ///< a - b
    Mul,       ///< a * b
    Div,       ///< a / b
    Neg,       ///< -a
    PowConst,  ///< a ** k, k a constant stored beside the tape (see Graph::exponent)
    Pow,       ///< a ** b, gradient to both a and b
    Tanh,
    Exp,
    Log,  ///< natural logarithm
    Relu,
    Sigmoid,
    Sqrt,
    Abs,
    Sin,
    Cos,
    Step,    ///< 1 where a > 0, else 0: relu's derivative, so gradients can be differentiated
    Sign,    ///< -1, 0 or 1: abs's derivative
    MulAdd,  ///< a * b + c: one node for a neuron's `act + w*x`, rounded exactly as the pair
};

inline constexpr std::size_t op_count = static_cast<std::size_t>(Op::MulAdd) + 1;

/// Leaf: no parents. Unary/Binary: operators (`-a`, `a + b`). Function: callable by name in
/// the language (`tanh(x)`). Fused: made by libraries for speed, never typed (`a*b + c`).
enum class OpKind : std::uint8_t { Leaf, Unary, Binary, Function, Fused };

struct OpInfo {
    std::string_view name;    ///< stable identifier: "add", "tanh", "pow_const" …
    std::string_view symbol;  ///< how the op is shown: "+", "*", "tanh", "**" …
    std::uint8_t arity;       ///< parents read: 0 to 3
    OpKind kind;              ///< Function ops are callable by name in the language
};

namespace detail {
// clang-format off
inline constexpr std::array<OpInfo, op_count> op_table{{
    {"leaf",      "",        0, OpKind::Leaf},
    {"const",     "",        0, OpKind::Leaf},
    {"add",       "+",       2, OpKind::Binary},
    {"sub",       "-",       2, OpKind::Binary},
    {"mul",       "*",       2, OpKind::Binary},
    {"div",       "/",       2, OpKind::Binary},
    {"neg",       "-",       1, OpKind::Unary},
    {"pow_const", "**",      1, OpKind::Binary},
    {"pow",       "pow",     2, OpKind::Function},
    {"tanh",      "tanh",    1, OpKind::Function},
    {"exp",       "exp",     1, OpKind::Function},
    {"log",       "log",     1, OpKind::Function},
    {"relu",      "relu",    1, OpKind::Function},
    {"sigmoid",   "sigmoid", 1, OpKind::Function},
    {"sqrt",      "sqrt",    1, OpKind::Function},
    {"abs",       "abs",     1, OpKind::Function},
    {"sin",       "sin",     1, OpKind::Function},
    {"cos",       "cos",     1, OpKind::Function},
    {"step",      "step",    1, OpKind::Function},
    {"sign",      "sign",    1, OpKind::Function},
    {"muladd",    "*+",      3, OpKind::Fused},
}};
// clang-format on
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

}  // namespace mgrad
