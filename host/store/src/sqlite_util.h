// SPDX-License-Identifier: Apache-2.0
// Thin RAII helpers over the SQLite C API: connections, prepared statements, error mapping.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include <gw/common/result.h>

namespace gw::host::sqlite {

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

/// @brief True for result codes that mean the medium refuses writes (full, read-only, I/O error): the
/// store raises its alarm for these.
[[nodiscard]] bool isMediumError(int rc) noexcept;

/// @brief Maps an SQLite result code to an Error with @p what and SQLite's own message.
[[nodiscard]] Error toError(sqlite3* db, int rc, std::string_view what);

/// @brief A prepared statement. Bind indexes are 1-based, column indexes 0-based.
class Stmt {
public:
    Stmt() = default;
    [[nodiscard]] static Result<Stmt> prepare(sqlite3* db, std::string_view sql);

    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, double value);
    Stmt& bind(int index, std::string_view text);
    Stmt& bindBlob(int index, std::span<const std::uint8_t> bytes);
    Stmt& bindNull(int index);

    /// @return SQLITE_ROW, SQLITE_DONE or an error code
    int step();
    /// @brief Steps to completion. @return Error unless SQLITE_DONE
    Result<void> run(std::string_view what);
    void reset();

    [[nodiscard]] std::int64_t int64(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::vector<std::uint8_t> blob(int column) const;
    [[nodiscard]] sqlite3* db() const noexcept { return db_; }

private:
    struct Finalizer {
        void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
    };
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
    sqlite3* db_ = nullptr;
};

/// @brief Runs @p sql (one or more statements without results).
Result<void> exec(sqlite3* db, std::string_view sql, std::string_view what);

} // namespace gw::host::sqlite
