// SPDX-License-Identifier: Apache-2.0
// Logger state: the sink and the level, shared by the whole firmware process.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include <gw/fw/log.h>

namespace gw::fw {
namespace {

std::mutex& sinkMutex()
{
    static std::mutex m;
    return m;
}
LogSink& sinkSlot()
{
    static LogSink s;
    return s;
}
std::atomic<LogLevel>& levelSlot()
{
    static std::atomic<LogLevel> l{LogLevel::Info};
    return l;
}

void writeStderr(const LogRecord& r)
{
    // Monotonic seconds since start: enough to read latencies off a log, and no wall-clock dependency.
    static const auto start = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "[%10.3f] %-7s %-8s %s\n", s, std::string(logLevelName(r.level)).c_str(),
                 std::string(logCategoryName(r.category)).c_str(), r.message.c_str());
}

} // namespace

std::string_view logLevelName(LogLevel level) noexcept
{
    switch (level) {
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warning:
        return "warning";
    case LogLevel::Error:
        return "error";
    }
    return "info";
}

std::string_view logCategoryName(LogCategory category) noexcept
{
    switch (category) {
    case LogCategory::App:
        return "app";
    case LogCategory::Capture:
        return "capture";
    case LogCategory::Inspect:
        return "inspect";
    case LogCategory::Spool:
        return "spool";
    case LogCategory::Link:
        return "link";
    case LogCategory::Hal:
        return "hal";
    case LogCategory::Health:
        return "health";
    }
    return "app";
}

void setLogSink(LogSink sink)
{
    const std::lock_guard lock(sinkMutex());
    sinkSlot() = std::move(sink);
}

void setLogLevel(LogLevel level) noexcept
{
    levelSlot().store(level);
}

bool logEnabled(LogLevel level) noexcept
{
    return level >= levelSlot().load();
}

LogLine::~LogLine()
{
    // A destructor must not throw: a failing sink (or allocation) loses the line, not the firmware.
    try {
        LogRecord record{level_, category_, stream_.str()};
        const std::lock_guard lock(sinkMutex());
        if (sinkSlot())
            sinkSlot()(record);
        else
            writeStderr(record);
    } catch (...) {
    }
}

} // namespace gw::fw
