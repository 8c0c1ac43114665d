// SPDX-License-Identifier: Apache-2.0
// The scanner application: idle -> document present -> capture -> inspect -> spool -> report -> removal.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gw/common/result.h>
#include <gw/fw/frame_ops.h>
#include <gw/hal/board.h>
#include <gw/link/messages.h>
#include <gw/spool/spool.h>
#include <gw/vision/inspection.h>

namespace gw::fw {

/// @brief The HAL objects the application drives (borrowed: they outlive the application).
struct AppDevices {
    hal::Camera& camera;
    hal::Illumination& lights;
    hal::DocumentSensor& sensor;
    hal::Indicator& indicator;
    hal::Clock& clock;
    hal::HostLink& link;
    const hal::Storage* storage = nullptr; ///< for STATUS free space; may be null
};

/// @brief What the images sent with an inspection show.
enum class ImagesToSend : std::uint8_t {
    None,       ///< report only
    Normalised, ///< the upright document as the checks saw it; else the frames scaled to transportPixelsPerMm
    Captured,   ///< the dark-subtracted frames of the whole glass (large)
};

/// @brief Application settings (the board part comes from board.json).
struct AppSettings {
    hal::BoardConfig board;
    std::string deviceId = "GW-EMU-0001";  ///< HELLO device id (printable ASCII, no space, 1..64)
    std::string firmwareVersion = "0.1.0"; ///< HELLO firmware version
    bool captureIr = true;                 ///< take the infrared frame
    bool captureUv = true;                 ///< take the ultraviolet frame
    bool darkFrame = true;                 ///< take a dark frame and subtract it from every light's frame
    ImagesToSend images = ImagesToSend::Normalised;
    ImageEncodingOptions encoding;
    /// [px/mm] in Normalised mode, when vision returned no normalised image (no document found), the
    /// captured frames are sent scaled down to this resolution (the report's evidence needs no more);
    /// also the resolution vision normalises to. In (2, 40].
    double transportPixelsPerMm = 12.0;
    std::int64_t statusIntervalUs = 30'000'000;    ///< [us] STATUS period while connected (also on change)
    std::int64_t heartbeatIntervalUs = 10'000'000; ///< [us] HEARTBEAT period while connected
    /// Signer certificates for Visible Digital Seals (the scanner's trust store); null: signers unknown.
    std::shared_ptr<const vision::TrustStore> trustStore{};
    /// Thresholds of the checks; null: the ones built into docvision (vision/config/thresholds.json).
    std::shared_ptr<const vision::Thresholds> thresholds{};
    /// Reads the visual zone for viz.mrz_consistency; null: that check is not_supported.
    std::shared_ptr<vision::VizTextReader> vizReader{};
};

/// @brief The inspection function; vision::inspect unless a test injects another.
using Inspector = std::function<Result<vision::InspectionReport>(const vision::CaptureSet&,
                                                                 const vision::InspectionSettings&)>;
/// @brief Source of fresh inspection ids (random UUIDv4 by default).
using IdSource = std::function<link::InspectionId()>;

/// @brief Where the application is. Capture and inspection run inside one step(), so between steps the
/// application is idle, holding a reported (or refused, or failed) document, or faulted.
enum class AppState : std::uint8_t {
    Idle,        ///< no document on the glass
    WaitRemoval, ///< reported (or refused because the spool is full): waiting for the document to go
    Fault,       ///< a capture failed (camera, light, inspection): waiting for the document to go
};

std::string_view appStateName(AppState state) noexcept;

/// @brief What became of each document laid on the glass, and link counters.
struct AppStats {
    std::uint32_t placed = 0;
    std::uint32_t reported = 0; ///< inspected and spooled (and sent when connected)
    std::uint32_t aborted = 0;  ///< pulled away during the capture: nothing reported
    std::uint32_t failed = 0;   ///< camera, light or inspection fault: nothing reported
    std::uint32_t refused = 0;  ///< spool full: not captured
    std::uint32_t sent = 0;     ///< INSPECTION frames sent, first sends and resends
    std::uint32_t resent = 0;   ///< of which resends from the spool
    std::uint32_t acked = 0;    ///< ACKs (stored or duplicate) that emptied a spool entry
    std::uint32_t rejected = 0; ///< ACKs with status rejected
    std::optional<vision::Verdict> lastVerdict;
    /// [us] document placed -> ACK of its inspection, for the last ACKed inspection placed in this run
    /// (the light banks' configured settle and exposure times included; see lastConfiguredLightUs)
    std::int64_t lastPlacedToAckUs = -1;
    /// [us] the settle + exposure times the board configuration imposed on the last capture
    std::int64_t lastConfiguredLightUs = 0;
    std::optional<link::InspectionId> lastInspectionId;
    /// [us] where the time of the last reported inspection went (placed -> sent)
    struct Stages {
        std::int64_t captureUs = 0; ///< light switching, settle, exposure, frame transfer, dark subtraction
        std::int64_t inspectUs = 0; ///< vision::inspect
        std::int64_t encodeUs = 0;  ///< report JSON, PNG/JPEG images, message body
        std::int64_t spoolUs = 0;   ///< durable spool write (fsync)
        std::int64_t sendUs = 0;    ///< handing the frame to the host link
    } lastStages;
};

/// @brief The firmware's state machine. Single-threaded: call step() in a loop (every few ms).
class ScannerApp {
public:
    /// @brief Builds the application over @p devices and @p spool (both borrowed).
    /// @return Errc::InvalidArgument for settings that cannot work (pixels_per_mm <= 0, bad device id)
    [[nodiscard]] static Result<std::unique_ptr<ScannerApp>> create(AppDevices devices, spool::Spool& spool,
                                                                    AppSettings settings,
                                                                    Inspector inspector = {},
                                                                    IdSource ids = {});

    /// @brief Configures the camera, switches the lights off and shows the idle indicator. A camera
    /// that fails here is a fault (STATUS bit, red blinking), retried on the next document.
    void start();

    /// @brief One turn: link events (HELLO, ACKs, resend of the spool after a connect), the document
    /// sensor (a Placed event runs the whole capture and inspection inside this call), periodic STATUS and
    /// HEARTBEAT.
    void step();

    [[nodiscard]] AppState state() const noexcept { return state_; }
    /// @brief link::kFault* bits now raised.
    [[nodiscard]] std::uint32_t faults() const noexcept { return faults_; }
    [[nodiscard]] bool spoolAlarm() const noexcept { return spoolAlarm_; }
    [[nodiscard]] const AppStats& stats() const noexcept { return stats_; }
    /// @brief The STATUS message the application would send now.
    [[nodiscard]] link::Status status();
    /// @brief True when no work is pending: the spool is empty, or there is no host to empty it to.
    [[nodiscard]] bool quiescent() const;

private:
    struct Frames {
        vision::Image white, ir, uv;
        double pixelsPerMm = 0;
        std::int64_t configuredLightUs = 0;
    };
    enum class CaptureEnd : std::uint8_t { Done, Aborted };

    ScannerApp(AppDevices devices, spool::Spool& spool, AppSettings settings, Inspector inspector,
               IdSource ids);

    [[nodiscard]] bool linkReady() const noexcept;
    void pumpLink();
    void onConnected();
    void onAck(const link::Ack& ack);
    void resendSpool();
    bool sendSpooled(const link::InspectionId& id, std::uint8_t flags);
    void sendStatus();
    void periodic();
    void onPlaced();
    void onRemoved();
    Result<CaptureEnd> captureSequence(Frames& out);
    bool documentStillThere();
    void inspectAndReport(Frames& frames, std::int64_t placedUs, std::int64_t placedUtcMs,
                          std::int64_t capturedUs);
    std::vector<link::EncodedImage> encodeImages(const vision::InspectionReport& report, const Frames& frames,
                                                 double framePixelsPerMm);
    void enterFault(std::uint32_t faultBits, const Error& error);
    void raiseFaults(std::uint32_t bits, bool on);
    void updateSpoolAlarm();
    void showIdle();
    void show(hal::LedColour colour, hal::LedPattern pattern);
    void beep(hal::BuzzerPattern pattern);

    AppDevices dev_;
    spool::Spool& spool_;
    AppSettings settings_;
    Inspector inspector_;
    IdSource ids_;

    AppState state_ = AppState::Idle;
    bool documentPresent_ = false;
    bool cameraConfigured_ = false;
    std::uint32_t faults_ = 0;
    std::map<std::uint32_t, std::string> faultDetail_;
    bool spoolAlarm_ = false;
    bool statusDirty_ = false;
    bool helloSent_ = false; ///< HELLO went out on the current connection

    std::set<link::InspectionId> sentThisConnection_;
    std::map<link::InspectionId, std::int64_t> placedAtUs_;
    std::int64_t startUs_ = 0;
    std::int64_t lastStatusUs_ = 0;
    std::int64_t lastHeartbeatUs_ = 0;
    AppStats stats_;
};

} // namespace gw::fw
