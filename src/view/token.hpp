// The view's access token: 256 bits from the kernel's random source, written in hex, required on
// every request (in the URL's `token=` or the X-Mgrad-Token header).
#pragma once

#include <string>
#include <string_view>

namespace mgrad::view::detail {

/// 64 hex digits from getrandom(2). Throws mgrad::Error if the kernel has none to give.
[[nodiscard]] std::string make_token();

/// Compares in time that depends only on the lengths, so timing tells nothing of the token.
[[nodiscard]] bool same_token(std::string_view given, std::string_view token) noexcept;

}  // namespace mgrad::view::detail
