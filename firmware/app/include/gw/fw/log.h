// SPDX-License-Identifier: Apache-2.0
// The firmware's tiny logger: a category and a level per line, a replaceable sink. Never log personal data.
#pragma once

#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace gw::fw {

enum class LogLevel : std::uint8_t { Debug, Info, Warning, Error };
/// @brief What a line is about; lets the lab filter (e.g. only Link) and the health view count errors.
enum class LogCategory : std::uint8_t { App, Capture, Inspect, Spool, Link, Hal, Health };

std::string_view logLevelName(LogLevel level) noexcept;
std::string_view logCategoryName(LogCategory category) noexcept;

/// @brief One log line. Messages name devices, ids, counts and error codes; never MRZ text, names,
/// document numbers or dates of birth (rule enforced by review and by the firmware tests' sink).
struct LogRecord {
    LogLevel level = LogLevel::Info;
    LogCategory category = LogCategory::App;
    std::string message;
};

using LogSink = std::function<void(const LogRecord&)>;

/// @brief Replaces the sink (default: one line per record on stderr); an empty sink restores the default.
/// Thread-safe; the sink is called under a lock, one record at a time.
void setLogSink(LogSink sink);
/// @brief Lines below @p level are dropped before they are formatted (default Info).
void setLogLevel(LogLevel level) noexcept;
[[nodiscard]] bool logEnabled(LogLevel level) noexcept;

/// @brief Collects one line and hands it to the sink when destroyed. Use through GW_LOG.
class LogLine {
public:
    LogLine(LogCategory category, LogLevel level) : category_(category), level_(level) {}
    LogLine(const LogLine&) = delete;
    LogLine& operator=(const LogLine&) = delete;
    ~LogLine();

    template <typename T>
    LogLine& operator<<(const T& value)
    {
        stream_ << value;
        return *this;
    }

private:
    LogCategory category_;
    LogLevel level_;
    std::ostringstream stream_;
};

/// @brief Turns a finished LogLine expression into void for GW_LOG's conditional (binds looser than <<).
struct LogVoidify {
    void operator&(const LogLine&) const noexcept {}
};

} // namespace gw::fw

/// GW_LOG(Spool, Warning) << "spool " << n << " files"; the stream is not evaluated when the level is off.
/// An expression (not an if/else) so that it nests under an unbraced if without a dangling else.
#define GW_LOG(category, level)                                                                              \
    !::gw::fw::logEnabled(::gw::fw::LogLevel::level)                                                         \
        ? (void)0                                                                                            \
        : ::gw::fw::LogVoidify() &                                                                           \
              ::gw::fw::LogLine(::gw::fw::LogCategory::category, ::gw::fw::LogLevel::level)
