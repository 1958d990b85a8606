// The language's built-in functions and operators, as the evaluator, the user functions and the
// bindings ask about them. Internal to the language layer; inline, since they are asked for every
// assignment's target and every call.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "mgrad/engine/op.hpp"
#include "mgrad/language/lexer.hpp"

namespace mgrad::detail {

inline bool is_builtin_function(std::string_view name) {
    // Asked for every assignment's target and every call: a table of the functions' first
    // letters answers most names (x1, loss …) without comparing them with every op's name.
    static constexpr auto first_letters = [] {
        std::array<bool, 256> letters{};
        for (std::size_t i = 0; i < op_count; ++i) {
            const OpInfo& info = op_info(static_cast<Op>(i));
            if (info.kind == OpKind::Function && !info.name.empty())
                letters[static_cast<unsigned char>(info.name.front())] = true;
        }
        return letters;
    }();
    if (name.empty() || !first_letters[static_cast<unsigned char>(name.front())]) return false;
    const auto op = op_from_name(name);
    return op && op_info(*op).kind == OpKind::Function;
}

inline std::size_t builtin_arity(std::string_view name) { return name == "pow" ? 2 : 1; }

inline Op binary_op(TokenKind kind) {
    switch (kind) {
        case TokenKind::Plus:
        case TokenKind::PlusAssign: return Op::Add;
        case TokenKind::Minus:
        case TokenKind::MinusAssign: return Op::Sub;
        case TokenKind::Star:
        case TokenKind::StarAssign: return Op::Mul;
        case TokenKind::Slash:
        case TokenKind::SlashAssign: return Op::Div;
        default: return Op::Pow;
    }
}

}  // namespace mgrad::detail
