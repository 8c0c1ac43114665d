// SPDX-License-Identifier: Apache-2.0
// HAL seam for the camera over the glass: configure a mode, capture one frame with a given exposure.
#pragma once

#include <cstdint>

#include <gw/common/result.h>
#include <gw/vision/image.h>

namespace gw::hal {

/// @brief Sensor mode requested by the firmware (from board.json "camera").
struct CameraMode {
    int widthPx = 0;  ///< [px] > 0
    int heightPx = 0; ///< [px] > 0
};

/// @brief One captured frame.
struct CapturedFrame {
    vision::Image image;
    /// [px/mm] sampling of this frame when the source knows it (the emulator replaying a scan with a
    /// capture.json); 0 means "the board's calibration" (board.json glass.pixels_per_mm) applies.
    double pixelsPerMm = 0;
};

/// @brief The camera. Implementations are used from one thread.
class Camera {
public:
    virtual ~Camera() = default;

    /// @brief Applies @p mode; must be called before capture().
    /// @return Errc::InvalidArgument for a mode the sensor cannot do, Errc::CameraFault when the device fails
    virtual Result<void> configure(const CameraMode& mode) = 0;

    /// @brief Captures one frame under whatever illumination is switched on now.
    /// @param exposureUs [us] exposure time, 0 = the sensor's default/automatic exposure
    /// @param format Gray8 (infrared, dark) or Bgr8 (white, ultraviolet); the board converts if needed
    /// @return the frame, or Errc::CameraFault (device error, timeout, no mode configured)
    virtual Result<CapturedFrame> capture(std::uint32_t exposureUs, vision::PixelFormat format) = 0;
};

} // namespace gw::hal
