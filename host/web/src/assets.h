// SPDX-License-Identifier: Apache-2.0
// The page's static files, embedded at build time by embed_assets.cmake.
#pragma once

#include <span>
#include <string_view>

namespace gw::host::web {

/// @brief One embedded file, served at @p path ("/app.js").
struct Asset {
    std::string_view path;
    std::string_view mime;
    std::span<const unsigned char> bytes;
};

/// @brief Every embedded asset.
[[nodiscard]] std::span<const Asset> assets() noexcept;

} // namespace gw::host::web
