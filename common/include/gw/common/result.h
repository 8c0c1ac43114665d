// SPDX-License-Identifier: Apache-2.0
// Error values that cross module boundaries: gw::Result<T> = std::expected<T, gw::Error>.
#pragma once

#include <expected>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>

namespace gw {

/// @brief Why an operation failed. Stable: callers switch on it, logs print errcName().
enum class Errc {
    InvalidArgument,  ///< input violates the documented contract of the call
    InvalidInput,     ///< data from outside (image, frame, MRZ text, barcode) is malformed
    NoDocument,       ///< no document found in the capture
    LowOcrConfidence, ///< text found but could not be read reliably
    CheckDigitMismatch,
    Unsupported, ///< valid but not handled (unknown version, format or light)
    Timeout,
    LightFault,
    CameraFault,
    LinkLost,
    Io,
    Internal, ///< a third-party library threw or returned an impossible state
};

/// @brief Human-readable, stable name of an error code (for logs and JSON).
constexpr std::string_view errcName(Errc c) noexcept
{
    switch (c) {
    case Errc::InvalidArgument:
        return "invalid_argument";
    case Errc::InvalidInput:
        return "invalid_input";
    case Errc::NoDocument:
        return "no_document";
    case Errc::LowOcrConfidence:
        return "low_ocr_confidence";
    case Errc::CheckDigitMismatch:
        return "check_digit_mismatch";
    case Errc::Unsupported:
        return "unsupported";
    case Errc::Timeout:
        return "timeout";
    case Errc::LightFault:
        return "light_fault";
    case Errc::CameraFault:
        return "camera_fault";
    case Errc::LinkLost:
        return "link_lost";
    case Errc::Io:
        return "io";
    case Errc::Internal:
        return "internal";
    }
    return "unknown";
}

/// @brief An expected failure: a code, a message for people, and where it was raised.
class Error {
public:
    Error(Errc code, std::string message, std::source_location where = std::source_location::current())
        : code_(code), message_(std::move(message)), where_(where)
    {
    }

    [[nodiscard]] Errc code() const noexcept { return code_; }
    [[nodiscard]] const std::string& message() const noexcept { return message_; }
    [[nodiscard]] const std::source_location& where() const noexcept { return where_; }

    /// "invalid_input: MRZ line 2 has 43 characters, expected 44"
    [[nodiscard]] std::string describe() const { return std::string(errcName(code_)) + ": " + message_; }

private:
    Errc code_;
    std::string message_;
    std::source_location where_;
};

template <typename T>
using Result = std::expected<T, Error>;

/// @brief Shorthand for returning a failure: `return gw::fail(Errc::InvalidInput, "...");`
inline std::unexpected<Error> fail(Errc code, std::string message,
                                   std::source_location where = std::source_location::current())
{
    return std::unexpected<Error>(Error(code, std::move(message), where));
}

} // namespace gw
