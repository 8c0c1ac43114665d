// SPDX-License-Identifier: Apache-2.0
// HAL seam for the document-present sensor under the glass.
#pragma once

#include <cstdint>
#include <optional>

#include <gw/common/result.h>

namespace gw::hal {

/// @brief A change of the sensor: a document was laid on the glass or taken away.
enum class DocumentEvent : std::uint8_t { Placed, Removed };

/// @brief The document sensor. Events are debounced by the board.
class DocumentSensor {
public:
    virtual ~DocumentSensor() = default;

    /// @brief Non-blocking: the next event since the last call, or std::nullopt when nothing changed.
    /// Placed and Removed alternate, starting with Placed.
    /// @return Errc::Io when the sensor cannot be read (reported as the document-sensor fault)
    virtual Result<std::optional<DocumentEvent>> poll() = 0;
};

} // namespace gw::hal
