#include "token.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "mgrad/support/error.hpp"

namespace mgrad::view::detail {

std::string make_token() {
    std::array<unsigned char, 32> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        // Blocks only until the kernel's pool is first initialised, early at boot.
        const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw Error(fmt::format("the view cannot get random bytes for its token: {}",
                                    std::strerror(errno)));
        filled += static_cast<std::size_t>(n);
    }
    std::string text;
    text.reserve(bytes.size() * 2);
    for (unsigned char b : bytes)
        text += fmt::format("{:02x}", b);
    return text;
}

bool same_token(std::string_view given, std::string_view token) noexcept {
    if (given.size() != token.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < token.size(); ++i)
        diff |= static_cast<unsigned char>(given[i] ^ token[i]);
    return diff == 0;
}

}  // namespace mgrad::view::detail
