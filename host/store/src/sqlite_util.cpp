// SPDX-License-Identifier: Apache-2.0
// SQLite RAII helpers and the mapping of SQLite result codes to gw::Error.
#include "sqlite_util.h"

namespace gw::host::sqlite {

bool isMediumError(int rc) noexcept
{
    switch (rc & 0xFF) {
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return true;
    default:
        return false;
    }
}

Error toError(sqlite3* db, int rc, std::string_view what)
{
    const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    std::string message = std::string(what) + ": ";
    Errc code = Errc::Internal;
    switch (rc & 0xFF) {
    case SQLITE_FULL:
        code = Errc::Io;
        message += "the store is full (disk or size limit)";
        break;
    case SQLITE_READONLY:
        code = Errc::Io;
        message += "the store is read-only";
        break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        code = Errc::Io;
        message += "I/O error";
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        code = Errc::InvalidInput;
        message += "the file is not a valid store";
        break;
    case SQLITE_CONSTRAINT:
        code = Errc::InvalidArgument;
        message += "constraint violated";
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = Errc::Timeout;
        message += "the store is locked by another process";
        break;
    default:
        message += "database error";
        break;
    }
    message += " (" + detail + ")";
    return Error(code, std::move(message));
}

Result<Stmt> Stmt::prepare(sqlite3* db, std::string_view sql)
{
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(raw);
        return std::unexpected(toError(db, rc, "preparing a query"));
    }
    Stmt s;
    s.stmt_.reset(raw);
    s.db_ = db;
    return s;
}

Stmt& Stmt::bind(int index, std::int64_t value)
{
    sqlite3_bind_int64(stmt_.get(), index, value);
    return *this;
}

Stmt& Stmt::bind(int index, double value)
{
    sqlite3_bind_double(stmt_.get(), index, value);
    return *this;
}

Stmt& Stmt::bind(int index, std::string_view text)
{
    sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

Stmt& Stmt::bindBlob(int index, std::span<const std::uint8_t> bytes)
{
    sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    return *this;
}

Stmt& Stmt::bindNull(int index)
{
    sqlite3_bind_null(stmt_.get(), index);
    return *this;
}

int Stmt::step()
{
    return sqlite3_step(stmt_.get());
}

Result<void> Stmt::run(std::string_view what)
{
    const int rc = step();
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return std::unexpected(toError(db_, rc, what));
    return {};
}

void Stmt::reset()
{
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Stmt::int64(int column) const
{
    return sqlite3_column_int64(stmt_.get(), column);
}

double Stmt::real(int column) const
{
    return sqlite3_column_double(stmt_.get(), column);
}

std::string Stmt::text(int column) const
{
    const auto* p = sqlite3_column_text(stmt_.get(), column);
    const int n = sqlite3_column_bytes(stmt_.get(), column);
    if (p == nullptr || n <= 0)
        return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::vector<std::uint8_t> Stmt::blob(int column) const
{
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_.get(), column));
    const int n = sqlite3_column_bytes(stmt_.get(), column);
    if (p == nullptr || n <= 0)
        return {};
    return std::vector<std::uint8_t>(p, p + n);
}

Result<void> exec(sqlite3* db, std::string_view sql, std::string_view what)
{
    char* err = nullptr;
    const std::string owned(sql);
    const int rc = sqlite3_exec(db, owned.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK)
        return std::unexpected(toError(db, rc, what));
    return {};
}

} // namespace gw::host::sqlite
