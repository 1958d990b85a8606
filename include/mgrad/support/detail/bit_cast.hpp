// bit_cast — std::bit_cast where the standard library lacks it.
//
// The libc++ that emscripten 3.1.6 ships (the page's build) has neither std::bit_cast nor
// <bit>'s other C++20 additions; the compilers mgrad supports (g++ 12, clang 14) all have the
// builtin that std::bit_cast is made of, so the engine uses that directly: the same code on
// every build.
#pragma once

#include <type_traits>

namespace mgrad::detail {

template <class To, class From>
[[nodiscard]] constexpr To bit_cast(const From& from) noexcept {
    static_assert(sizeof(To) == sizeof(From) && std::is_trivially_copyable_v<To> &&
                      std::is_trivially_copyable_v<From>,
                  "bit_cast needs two trivially copyable types of the same size");
    return __builtin_bit_cast(To, from);
}

}  // namespace mgrad::detail
