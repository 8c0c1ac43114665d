// SPDX-License-Identifier: Apache-2.0
// Schema migrations of the SQLite store, applied in order and recorded in the schema_version table.
#pragma once

#include <span>
#include <string_view>

#include <sqlite3.h>

#include <gw/common/result.h>

namespace gw::host::sqlite {

/// @brief Migration i (0-based) takes the schema from version i to i + 1. Append only; never edit one
/// that has shipped.
[[nodiscard]] std::span<const std::string_view> migrations() noexcept;

/// @brief The version recorded in the file (0 for a new file).
[[nodiscard]] Result<int> readSchemaVersion(sqlite3* db);

/// @brief Applies every migration after the file's version, each in its own transaction.
/// @return the new version; Errc::Unsupported when the file is newer than this build
[[nodiscard]] Result<int> migrate(sqlite3* db);

} // namespace gw::host::sqlite
