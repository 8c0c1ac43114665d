// SPDX-License-Identifier: Apache-2.0
// The decision thresholds of the checks: one versioned table, each value with the reason behind it.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <gw/common/result.h>

namespace gw::vision {

/// @brief The thresholds every check decides by. The defaults are vision/config/thresholds.json, compiled
/// into the library; a lab may override values from a file of the same shape (docinspect --thresholds).
class Thresholds {
public:
    struct Entry {
        double value = 0;
        std::string why; ///< the reason for the value (a specification, a measurement, a trade-off)
    };

    /// @brief The table shipped with this build (vision/config/thresholds.json).
    static const Thresholds& defaults();

    /// @brief Parses a thresholds document: {"version": "...", "thresholds": {"<key>": {"value": <number>,
    /// "why": "..."} or <number>, ...}}. Keys not given keep their value from @p base.
    /// @return Errc::InvalidArgument for malformed JSON, a key @p base does not know (a typo would
    ///         otherwise silently change nothing), a non-finite value or a missing version.
    static Result<Thresholds> fromJson(std::string_view json, const Thresholds& base = defaults());

    /// @brief The value of @p key. @throws std::out_of_range for an unknown key (a programming error:
    /// every key a check reads is in the shipped file; inspect() turns it into an aborted check).
    [[nodiscard]] double value(std::string_view key) const;

    /// @brief The version string of the table; it goes into every report. A lab file's own version, or
    /// "<base version>+lab" when the file names none, or names the base's version but changes a value.
    [[nodiscard]] const std::string& version() const noexcept { return version_; }

    [[nodiscard]] const std::map<std::string, Entry, std::less<>>& entries() const noexcept
    {
        return entries_;
    }

    /// @brief The table as a JSON document in the same shape fromJson() reads.
    [[nodiscard]] std::string toJson() const;

private:
    static Result<Thresholds> parse(std::string_view json, const Thresholds* base);

    std::string version_;
    std::map<std::string, Entry, std::less<>> entries_;
};

} // namespace gw::vision
