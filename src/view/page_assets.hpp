// The page's files (src/view/page/), embedded into the module when it is built
// (cmake/EmbedFiles.cmake writes page_assets.cpp from them).
#pragma once

#include <span>
#include <string_view>

namespace mgrad::view::detail {

struct Asset {
    std::string_view path;  ///< "/index.html", "/app.js" …
    std::string_view type;  ///< its Content-Type
    std::string_view bytes;
};

[[nodiscard]] std::span<const Asset> page_assets() noexcept;

}  // namespace mgrad::view::detail
