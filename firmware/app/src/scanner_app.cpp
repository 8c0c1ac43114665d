// SPDX-License-Identifier: Apache-2.0
// The scanner application's state machine, capture sequence, spool handling and link protocol.
#include <array>
#include <ctime>
#include <future>
#include <random>

#include <gw/fw/log.h>
#include <gw/fw/scanner_app.h>

namespace gw::fw {
namespace {

std::string isoDate(std::int64_t utcMs)
{
    const std::time_t t = static_cast<std::time_t>(utcMs / 1000);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr)
        return {};
    std::array<char, 16> buf{};
    if (std::strftime(buf.data(), buf.size(), "%Y-%m-%d", &tm) == 0)
        return {};
    return buf.data();
}

link::InspectionId randomId()
{
    // random_device is the kernel's getrandom(): ids stay unique across restarts and across scanners,
    // which the host's deduplication relies on.
    static std::random_device rd;
    link::InspectionId id;
    for (std::size_t i = 0; i < id.bytes.size(); i += 4) {
        const std::uint32_t r = rd();
        for (std::size_t k = 0; k < 4; ++k)
            id.bytes[i + k] = static_cast<std::uint8_t>(r >> (8 * k));
    }
    id.bytes[6] = static_cast<std::uint8_t>((id.bytes[6] & 0x0F) | 0x40); // UUID version 4
    id.bytes[8] = static_cast<std::uint8_t>((id.bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
    return id;
}

std::uint32_t lightFaultBit(hal::LightBank bank) noexcept
{
    switch (bank) {
    case hal::LightBank::White:
        return link::kFaultLightWhite;
    case hal::LightBank::Infrared:
        return link::kFaultLightIr;
    case hal::LightBank::Ultraviolet:
        return link::kFaultLightUv;
    case hal::LightBank::Off:
        return link::kFaultLightWhite | link::kFaultLightIr | link::kFaultLightUv;
    }
    return 0;
}

std::string faultName(std::uint32_t bit)
{
    switch (bit) {
    case link::kFaultCamera:
        return "camera";
    case link::kFaultLightWhite:
        return "light.white";
    case link::kFaultLightIr:
        return "light.ir";
    case link::kFaultLightUv:
        return "light.uv";
    case link::kFaultDocumentSensor:
        return "document_sensor";
    case link::kFaultStorage:
        return "storage";
    default:
        return "fault." + std::to_string(bit);
    }
}

bool frameOk(const vision::Image& img, vision::PixelFormat format) noexcept
{
    return img.format == format && img.width > 0 && img.height > 0 &&
           img.pixels.size() == static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) *
                                    static_cast<std::size_t>(vision::channels(format));
}

} // namespace

std::string_view appStateName(AppState state) noexcept
{
    switch (state) {
    case AppState::Idle:
        return "idle";
    case AppState::WaitRemoval:
        return "wait_removal";
    case AppState::Fault:
        return "fault";
    }
    return "idle";
}

Result<std::unique_ptr<ScannerApp>> ScannerApp::create(AppDevices devices, spool::Spool& spool,
                                                       AppSettings settings, Inspector inspector,
                                                       IdSource ids)
{
    if (!(settings.board.pixelsPerMm > 0))
        return fail(Errc::InvalidArgument, "board pixels_per_mm must be > 0");
    if (!(settings.transportPixelsPerMm >= 2.0 && settings.transportPixelsPerMm <= 40.0))
        return fail(Errc::InvalidArgument, "transport resolution must be 2..40 px/mm");
    if (settings.deviceId.empty() || settings.deviceId.size() > link::kMaxTokenBytes)
        return fail(Errc::InvalidArgument, "device id must have 1..64 characters");
    if (!inspector)
        inspector = [](const vision::CaptureSet& c, const vision::InspectionSettings& s) {
            return vision::inspect(c, s);
        };
    if (!ids)
        ids = randomId;
    return std::unique_ptr<ScannerApp>(
        new ScannerApp(devices, spool, std::move(settings), std::move(inspector), std::move(ids)));
}

ScannerApp::ScannerApp(AppDevices devices, spool::Spool& spool, AppSettings settings, Inspector inspector,
                       IdSource ids)
    : dev_(devices), spool_(spool), settings_(std::move(settings)), inspector_(std::move(inspector)),
      ids_(std::move(ids))
{
}

void ScannerApp::start()
{
    startUs_ = dev_.clock.monotonicUs();
    lastStatusUs_ = lastHeartbeatUs_ = startUs_;
    for (const auto& p : spool_.problems())
        GW_LOG(Spool, Error) << "spool file set aside as " << p.file.filename().string() << ": " << p.reason;
    GW_LOG(App, Info) << "firmware " << settings_.firmwareVersion << " on board " << settings_.board.board
                      << " starting; spool holds " << spool_.count() << " unacknowledged inspection(s), "
                      << spool_.usedBytes() << " of " << spool_.limitBytes() << " bytes";
    if (auto r = dev_.lights.select(hal::LightBank::Off); !r)
        enterFault(lightFaultBit(hal::LightBank::Off), r.error());
    if (auto r = dev_.camera.configure(settings_.board.camera); !r) {
        enterFault(link::kFaultCamera, r.error());
        state_ = AppState::Idle;
    } else {
        cameraConfigured_ = true;
    }
    updateSpoolAlarm();
    showIdle();
}

void ScannerApp::step()
{
    pumpLink();
    updateSpoolAlarm();
    auto event = dev_.sensor.poll();
    if (!event) {
        if (!(faults_ & link::kFaultDocumentSensor))
            GW_LOG(Hal, Error) << "document sensor: " << event.error().describe();
        faultDetail_[link::kFaultDocumentSensor] = event.error().describe();
        raiseFaults(link::kFaultDocumentSensor, true);
    } else {
        raiseFaults(link::kFaultDocumentSensor, false);
        if (*event == hal::DocumentEvent::Placed)
            onPlaced();
        else if (*event == hal::DocumentEvent::Removed)
            onRemoved();
    }
    periodic();
}

// ---- document handling --------------------------------------------------------------------------------

void ScannerApp::onPlaced()
{
    if (documentPresent_)
        return; // a second Placed without Removed: the board's debounce failed; keep the first
    documentPresent_ = true;
    ++stats_.placed;
    const std::int64_t placedUs = dev_.clock.monotonicUs();
    const std::int64_t placedUtcMs = dev_.clock.utcMs();
    if (spool_.full()) {
        ++stats_.refused;
        state_ = AppState::WaitRemoval;
        GW_LOG(Spool, Error) << "spool full (" << spool_.count() << " inspections, " << spool_.usedBytes()
                             << " of " << spool_.limitBytes()
                             << " bytes): document not captured; the host must acknowledge first";
        show(hal::LedColour::Amber, hal::LedPattern::Blinking);
        beep(hal::BuzzerPattern::Long);
        return;
    }
    if (!cameraConfigured_) {
        if (auto r = dev_.camera.configure(settings_.board.camera); !r) {
            enterFault(link::kFaultCamera, r.error());
            return;
        }
        cameraConfigured_ = true;
    }
    GW_LOG(Capture, Info) << "document placed: capture sequence starts";
    show(hal::LedColour::Blue, hal::LedPattern::Blinking);
    Frames frames;
    auto captured = captureSequence(frames);
    if (auto off = dev_.lights.select(hal::LightBank::Off); !off)
        GW_LOG(Hal, Warning) << "lights did not switch off: " << off.error().describe();
    if (!captured)
        return; // captureSequence() entered the fault state
    if (*captured == CaptureEnd::Aborted) {
        ++stats_.aborted;
        documentPresent_ = false;
        state_ = AppState::Idle;
        GW_LOG(Capture, Warning) << "document removed during the capture: aborted, nothing reported";
        showIdle();
        return;
    }
    stats_.lastConfiguredLightUs = frames.configuredLightUs;
    inspectAndReport(frames, placedUs, placedUtcMs, dev_.clock.monotonicUs());
}

void ScannerApp::onRemoved()
{
    if (!documentPresent_)
        return;
    documentPresent_ = false;
    state_ = AppState::Idle;
    GW_LOG(App, Debug) << "document removed";
    showIdle();
}

bool ScannerApp::documentStillThere()
{
    auto event = dev_.sensor.poll();
    if (!event) {
        // A sensor that cannot be read mid-capture: finish the capture (the document was there a moment ago);
        // the fault is reported by the next step().
        faultDetail_[link::kFaultDocumentSensor] = event.error().describe();
        raiseFaults(link::kFaultDocumentSensor, true);
        return true;
    }
    return *event != hal::DocumentEvent::Removed;
}

Result<ScannerApp::CaptureEnd> ScannerApp::captureSequence(Frames& out)
{
    struct Shot {
        hal::LightBank bank;
        const hal::LightTiming* timing;
        vision::PixelFormat format;
        vision::Image* target;
    };
    vision::Image dark;
    std::vector<Shot> plan;
    if (settings_.darkFrame)
        plan.push_back({hal::LightBank::Off, &settings_.board.dark, vision::PixelFormat::Bgr8, &dark});
    plan.push_back({hal::LightBank::White, &settings_.board.white, vision::PixelFormat::Bgr8, &out.white});
    if (settings_.captureIr)
        plan.push_back({hal::LightBank::Infrared, &settings_.board.ir, vision::PixelFormat::Gray8, &out.ir});
    if (settings_.captureUv)
        plan.push_back(
            {hal::LightBank::Ultraviolet, &settings_.board.uv, vision::PixelFormat::Bgr8, &out.uv});

    for (const Shot& shot : plan) {
        if (!documentStillThere())
            return CaptureEnd::Aborted;
        if (auto r = dev_.lights.select(shot.bank); !r) {
            enterFault(lightFaultBit(shot.bank), r.error());
            return std::unexpected(r.error());
        }
        if (shot.bank != hal::LightBank::Off)
            raiseFaults(lightFaultBit(shot.bank), false);
        dev_.clock.sleepForUs(shot.timing->settleUs);
        auto frame = dev_.camera.capture(shot.timing->exposureUs, shot.format);
        if (!frame) {
            enterFault(link::kFaultCamera, frame.error());
            return std::unexpected(frame.error());
        }
        if (!frameOk(frame->image, shot.format) ||
            (shot.target != &dark && !dark.pixels.empty() &&
             (frame->image.width != dark.width || frame->image.height != dark.height)) ||
            (shot.target != &out.white && !out.white.pixels.empty() &&
             (frame->image.width != out.white.width || frame->image.height != out.white.height))) {
            Error e(Errc::CameraFault, "camera returned an inconsistent " +
                                           std::string(hal::lightBankName(shot.bank)) + " frame (" +
                                           std::to_string(frame->image.width) + "x" +
                                           std::to_string(frame->image.height) + ")");
            enterFault(link::kFaultCamera, e);
            return std::unexpected(e);
        }
        if (shot.target == &out.white)
            out.pixelsPerMm = frame->pixelsPerMm;
        out.configuredLightUs += shot.timing->settleUs + shot.timing->exposureUs;
        *shot.target = std::move(frame->image);
    }
    // The last frame may have been taken as the document left: such a frame shows an empty glass.
    if (!documentStillThere())
        return CaptureEnd::Aborted;
    raiseFaults(link::kFaultCamera, false);

    if (!dark.pixels.empty()) {
        for (vision::Image* f : {&out.white, &out.ir, &out.uv}) {
            if (f->pixels.empty())
                continue;
            if (auto r = subtractDark(*f, dark); !r) {
                enterFault(link::kFaultCamera, r.error());
                return std::unexpected(r.error());
            }
        }
    }
    return CaptureEnd::Done;
}

void ScannerApp::inspectAndReport(Frames& frames, std::int64_t placedUs, std::int64_t placedUtcMs,
                                  std::int64_t capturedUs)
{
    AppStats::Stages stages;
    stages.captureUs = capturedUs - placedUs;
    vision::CaptureSet capture;
    capture.white = frames.white.view();
    if (!frames.ir.pixels.empty())
        capture.ir = frames.ir.view();
    if (!frames.uv.pixels.empty())
        capture.uv = frames.uv.view();
    capture.pixelsPerMm = frames.pixelsPerMm > 0 ? frames.pixelsPerMm : settings_.board.pixelsPerMm;

    vision::InspectionSettings vs;
    vs.inspectionDate = isoDate(placedUtcMs);
    vs.stopwatchUs = [this] {
        return dev_.clock.monotonicUs();
    };
    vs.keepNormalisedImages = settings_.images == ImagesToSend::Normalised;
    vs.pixelsPerMm = settings_.transportPixelsPerMm;
    vs.trustStore = settings_.trustStore;
    vs.thresholds = settings_.thresholds;
    vs.vizReader = settings_.vizReader;

    Result<vision::InspectionReport> report = fail(Errc::Internal, "inspector threw");
    try {
        report = inspector_(capture, vs);
    } catch (const std::exception& e) {
        report = fail(Errc::Internal, std::string("inspector threw: ") + e.what());
    }
    if (!report) {
        // vision refuses only frames it cannot use; treat that as the camera's fault.
        enterFault(link::kFaultCamera, report.error());
        return;
    }

    const std::int64_t inspectedUs = dev_.clock.monotonicUs();
    stages.inspectUs = inspectedUs - capturedUs;

    link::Inspection msg;
    msg.id = ids_();
    msg.captureTimeMs = static_cast<std::uint64_t>(std::max<std::int64_t>(placedUtcMs, 0));
    msg.reportJson = vision::reportToJson(*report);
    if (settings_.images != ImagesToSend::None)
        msg.images = encodeImages(*report, frames, capture.pixelsPerMm);
    auto body = link::encodeBody(msg);
    if (!body) {
        enterFault(0, body.error());
        return;
    }
    const std::int64_t encodedUs = dev_.clock.monotonicUs();
    stages.encodeUs = encodedUs - inspectedUs;
    auto entry = spool_.append(msg.id, *body);
    if (!entry) {
        ++stats_.failed;
        state_ = AppState::Fault;
        faultDetail_[link::kFaultStorage] = entry.error().describe();
        raiseFaults(link::kFaultStorage, true);
        spoolAlarm_ = spool_.full();
        GW_LOG(Spool, Error) << "inspection not recorded (" << entry.error().describe()
                             << "): present the document again when the spool has room";
        show(hal::LedColour::Amber, hal::LedPattern::Blinking);
        beep(hal::BuzzerPattern::Long);
        return;
    }
    const std::int64_t spooledUs = dev_.clock.monotonicUs();
    stages.spoolUs = spooledUs - encodedUs;
    ++stats_.reported;
    stats_.lastVerdict = report->verdict;
    stats_.lastInspectionId = msg.id;
    placedAtUs_[msg.id] = placedUs;
    state_ = AppState::WaitRemoval;
    GW_LOG(Inspect, Info) << "inspection " << msg.id.toHex() << " verdict "
                          << vision::verdictName(report->verdict) << ", " << report->checks.size()
                          << " checks, " << msg.images.size() << " images, " << body->size()
                          << " bytes spooled as #" << entry->sequence;
    switch (report->verdict) {
    case vision::Verdict::Green:
        show(hal::LedColour::Green, hal::LedPattern::Steady);
        beep(hal::BuzzerPattern::Short);
        break;
    case vision::Verdict::Amber:
        show(hal::LedColour::Amber, hal::LedPattern::Steady);
        beep(hal::BuzzerPattern::Double);
        break;
    case vision::Verdict::Red:
        show(hal::LedColour::Red, hal::LedPattern::Steady);
        beep(hal::BuzzerPattern::Long);
        break;
    }
    if (linkReady()) {
        if (auto s = dev_.link.send(msg, 0); s) {
            sentThisConnection_.insert(msg.id);
            ++stats_.sent;
        } else {
            GW_LOG(Link, Warning) << "inspection " << msg.id.toHex()
                                  << " stays in the spool: " << s.error().describe();
        }
    }
    stages.sendUs = dev_.clock.monotonicUs() - spooledUs;
    stats_.lastStages = stages;
    GW_LOG(App, Debug) << "stage times [ms]: capture " << stages.captureUs / 1000 << ", inspect "
                       << stages.inspectUs / 1000 << ", encode " << stages.encodeUs / 1000 << ", spool "
                       << stages.spoolUs / 1000 << ", send " << stages.sendUs / 1000;
    updateSpoolAlarm();
}

std::vector<link::EncodedImage> ScannerApp::encodeImages(const vision::InspectionReport& report,
                                                         const Frames& frames, double framePixelsPerMm)
{
    const bool normalised = settings_.images == ImagesToSend::Normalised && report.normalisedWhite;
    const bool scaleFrames = settings_.images == ImagesToSend::Normalised && !normalised;
    const auto pick = [&](const std::optional<vision::Image>& norm,
                          const vision::Image& frame) -> const vision::Image* {
        if (normalised)
            return norm ? &*norm : nullptr;
        return frame.pixels.empty() ? nullptr : &frame;
    };
    const std::array<std::pair<const vision::Image*, link::Light>, 3> sources = {
        {{pick(report.normalisedWhite, frames.white), link::Light::White},
         {pick(report.normalisedIr, frames.ir), link::Light::Infrared},
         {pick(report.normalisedUv, frames.uv), link::Light::Ultraviolet}}};
    const double scale = scaleFrames && framePixelsPerMm > settings_.transportPixelsPerMm
                             ? settings_.transportPixelsPerMm / framePixelsPerMm
                             : 1.0;
    const ImageEncodingOptions options = settings_.encoding;
    // PNG/JPEG encoding is the largest cost between capture and ACK; the three images encode in parallel.
    auto work = [scale, options](const vision::Image* img, link::Light light) -> Result<link::EncodedImage> {
        if (scale < 1.0) {
            auto small = downscale(*img, scale);
            if (!small)
                return std::unexpected(small.error());
            return encodeImage(*small, light, options);
        }
        return encodeImage(*img, light, options);
    };
    std::vector<std::future<Result<link::EncodedImage>>> jobs;
    for (const auto& [img, light] : sources) {
        if (img == nullptr)
            continue;
        try {
            jobs.push_back(std::async(std::launch::async, work, img, light));
        } catch (const std::system_error&) {
            // No thread to be had: encode here instead.
            std::promise<Result<link::EncodedImage>> done;
            done.set_value(work(img, light));
            jobs.push_back(done.get_future());
        }
    }
    std::vector<link::EncodedImage> out;
    for (auto& job : jobs) {
        auto enc = job.get();
        if (!enc) {
            GW_LOG(Inspect, Warning) << "an image was not sent: " << enc.error().describe();
            continue;
        }
        out.push_back(std::move(*enc));
    }
    return out;
}

// ---- faults and indicator -----------------------------------------------------------------------------

void ScannerApp::enterFault(std::uint32_t faultBits, const Error& error)
{
    ++stats_.failed;
    state_ = AppState::Fault;
    for (std::uint32_t bit = 1; bit != 0; bit <<= 1)
        if (faultBits & bit)
            faultDetail_[bit] = error.describe();
    raiseFaults(faultBits, true);
    GW_LOG(Hal, Error) << "capture failed: " << error.describe();
    show(hal::LedColour::Red, hal::LedPattern::Blinking);
    beep(hal::BuzzerPattern::Long);
}

void ScannerApp::raiseFaults(std::uint32_t bits, bool on)
{
    const std::uint32_t before = faults_;
    faults_ = on ? (faults_ | bits) : (faults_ & ~bits);
    if (faults_ == before)
        return;
    statusDirty_ = true;
    for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
        if (!((before ^ faults_) & bit))
            continue;
        if (faults_ & bit) {
            GW_LOG(Health, Error) << "fault raised: " << faultName(bit);
        } else {
            GW_LOG(Health, Info) << "fault cleared: " << faultName(bit);
            faultDetail_.erase(bit);
        }
    }
}

void ScannerApp::updateSpoolAlarm()
{
    const bool full = spool_.full();
    if (full == spoolAlarm_)
        return;
    spoolAlarm_ = full;
    if (full) {
        faultDetail_[link::kFaultStorage] = "spool full";
        GW_LOG(Spool, Error) << "spool full: " << spool_.count() << " inspections, " << spool_.usedBytes()
                             << " of " << spool_.limitBytes()
                             << " bytes; new captures are refused until the host ACKs";
    } else {
        GW_LOG(Spool, Info) << "spool has room again (" << spool_.count() << " inspections)";
    }
    raiseFaults(link::kFaultStorage, full);
    if (state_ == AppState::Idle)
        showIdle();
}

void ScannerApp::showIdle()
{
    if (spoolAlarm_)
        show(hal::LedColour::Amber, hal::LedPattern::Blinking);
    else if (faults_ &
             (link::kFaultCamera | link::kFaultLightWhite | link::kFaultLightIr | link::kFaultLightUv))
        show(hal::LedColour::Red, hal::LedPattern::Blinking);
    else
        show(hal::LedColour::Blue, hal::LedPattern::Steady);
}

void ScannerApp::show(hal::LedColour colour, hal::LedPattern pattern)
{
    if (auto r = dev_.indicator.show(colour, pattern); !r)
        GW_LOG(Hal, Warning) << "indicator: " << r.error().describe();
}

void ScannerApp::beep(hal::BuzzerPattern pattern)
{
    if (auto r = dev_.indicator.beep(pattern); !r)
        GW_LOG(Hal, Warning) << "buzzer: " << r.error().describe();
}

// ---- link ---------------------------------------------------------------------------------------------

void ScannerApp::pumpLink()
{
    // Bounded so that a chatty host cannot starve the document sensor.
    for (int i = 0; i < 256; ++i) {
        auto event = dev_.link.poll();
        if (!event)
            return;
        switch (event->kind) {
        case hal::LinkEvent::Kind::Connected:
            onConnected();
            break;
        case hal::LinkEvent::Kind::Disconnected:
            helloSent_ = false;
            GW_LOG(Link, Warning) << "host link lost: " << event->detail << "; " << spool_.count()
                                  << " inspection(s) wait in the spool";
            sentThisConnection_.clear();
            break;
        case hal::LinkEvent::Kind::Received:
            if (!event->message)
                break;
            if (const auto* ack = std::get_if<link::Ack>(&*event->message))
                onAck(*ack);
            else if (const auto* hello = std::get_if<link::Hello>(&*event->message))
                GW_LOG(Link, Info) << "host " << hello->deviceId << " (firmware " << hello->firmwareVersion
                                   << ") speaks protocol " << int(hello->protocolMajor) << "."
                                   << int(hello->protocolMinor);
            else if (!std::holds_alternative<link::Heartbeat>(*event->message))
                GW_LOG(Link, Warning)
                    << "unexpected " << link::messageTypeName(link::messageType(*event->message))
                    << " from the host ignored";
            break;
        }
    }
}

void ScannerApp::onConnected()
{
    GW_LOG(Link, Info) << "host link up";
    sentThisConnection_.clear();
    helloSent_ = false;
    link::Hello hello;
    hello.deviceId = settings_.deviceId;
    hello.firmwareVersion = settings_.firmwareVersion;
    hello.board = settings_.board.board;
    hello.capabilities =
        link::kCapLightWhite | link::kCapSpool | (settings_.captureIr ? link::kCapLightIr : 0u) |
        (settings_.captureUv ? link::kCapLightUv : 0u) |
        (settings_.encoding.encoding == link::ImageEncoding::Png ? link::kCapImagePng : link::kCapImageJpeg);
    if (auto r = dev_.link.send(hello); !r) {
        GW_LOG(Link, Warning) << "HELLO not sent: " << r.error().describe();
        return;
    }
    helloSent_ = true;
    sendStatus();
    resendSpool();
}

void ScannerApp::resendSpool()
{
    // Copy: sendSpooled() may set a corrupt entry aside, which changes the spool's index.
    const std::vector<spool::SpoolEntry> entries = spool_.entries();
    std::size_t resent = 0;
    for (const auto& e : entries) {
        if (!linkReady())
            break;
        if (sentThisConnection_.contains(e.id))
            continue;
        if (sendSpooled(e.id, link::kFlagResend)) {
            ++resent;
            ++stats_.resent;
        }
    }
    if (resent > 0)
        GW_LOG(Link, Info) << "resent " << resent << " spooled inspection(s) in order";
}

bool ScannerApp::sendSpooled(const link::InspectionId& id, std::uint8_t flags)
{
    auto body = spool_.readBody(id);
    if (!body) {
        GW_LOG(Spool, Error) << "spooled inspection " << id.toHex()
                             << " cannot be sent: " << body.error().describe();
        faultDetail_[link::kFaultStorage] = body.error().describe();
        raiseFaults(link::kFaultStorage, true);
        return false;
    }
    auto msg = link::decodeBody(link::MessageType::Inspection, *body);
    if (!msg) {
        GW_LOG(Spool, Error) << "spooled inspection " << id.toHex()
                             << " does not decode: " << msg.error().describe();
        return false;
    }
    if (auto r = dev_.link.send(*msg, flags); !r) {
        GW_LOG(Link, Warning) << "resend stopped: " << r.error().describe();
        return false;
    }
    sentThisConnection_.insert(id);
    ++stats_.sent;
    return true;
}

void ScannerApp::onAck(const link::Ack& ack)
{
    const auto entry = spool_.find(ack.inspectionId);
    if (!entry) {
        GW_LOG(Link, Debug) << "ACK for " << ack.inspectionId.toHex() << " not in the spool (late duplicate)";
        return;
    }
    if (ack.status == link::AckStatus::Rejected) {
        ++stats_.rejected;
        GW_LOG(Link, Error) << "host rejected inspection " << ack.inspectionId.toHex() << ": " << ack.reason
                            << "; kept aside in the spool folder";
        if (auto r = spool_.setAside(ack.inspectionId); !r)
            GW_LOG(Spool, Error) << r.error().describe();
    } else {
        if (auto r = spool_.remove(ack.inspectionId); !r) {
            GW_LOG(Spool, Error) << r.error().describe();
            return;
        }
        ++stats_.acked;
        if (const auto it = placedAtUs_.find(ack.inspectionId); it != placedAtUs_.end()) {
            stats_.lastPlacedToAckUs = dev_.clock.monotonicUs() - it->second;
            GW_LOG(Link, Info) << "inspection " << ack.inspectionId.toHex() << " "
                               << link::ackStatusName(ack.status) << " by the host, "
                               << stats_.lastPlacedToAckUs / 1000 << " ms after placing";
            placedAtUs_.erase(it);
        } else {
            GW_LOG(Link, Info) << "inspection " << ack.inspectionId.toHex() << " "
                               << link::ackStatusName(ack.status) << " by the host";
        }
    }
    // Latency bookkeeping of inspections that left the spool without an ACK (set aside as corrupt) would
    // otherwise stay until restart.
    if (placedAtUs_.size() > spool_.count() + 64)
        std::erase_if(placedAtUs_, [this](const auto& kv) { return !spool_.find(kv.first).has_value(); });
    updateSpoolAlarm();
}

link::Status ScannerApp::status()
{
    link::Status s;
    s.uptimeMs =
        static_cast<std::uint64_t>(std::max<std::int64_t>(dev_.clock.monotonicUs() - startUs_, 0) / 1000);
    s.spoolCount = static_cast<std::uint32_t>(spool_.count());
    s.spoolBytes = spool_.usedBytes();
    s.spoolLimitBytes = spool_.limitBytes();
    if (dev_.storage != nullptr)
        if (auto free = dev_.storage->freeBytes(); free)
            s.freeStorageBytes = *free;
    s.faults = faults_;
    for (const auto& [bit, detail] : faultDetail_) {
        if (!(faults_ & bit))
            continue;
        std::string text = detail.substr(0, link::kMaxShortTextBytes);
        s.health.push_back(link::HealthItem{faultName(bit), link::HealthLevel::Fault, std::move(text)});
    }
    if (s.health.empty())
        s.health.push_back(
            link::HealthItem{"scanner", link::HealthLevel::Ok, std::string(appStateName(state_))});
    return s;
}

void ScannerApp::sendStatus()
{
    lastStatusUs_ = dev_.clock.monotonicUs();
    statusDirty_ = false;
    if (!linkReady())
        return;
    if (auto r = dev_.link.send(status()); !r)
        GW_LOG(Link, Warning) << "STATUS not sent: " << r.error().describe();
}

void ScannerApp::periodic()
{
    const std::int64_t now = dev_.clock.monotonicUs();
    if (statusDirty_ || now - lastStatusUs_ >= settings_.statusIntervalUs)
        sendStatus();
    if (now - lastHeartbeatUs_ >= settings_.heartbeatIntervalUs) {
        lastHeartbeatUs_ = now;
        if (linkReady())
            if (auto r = dev_.link.send(link::Heartbeat{
                    static_cast<std::uint64_t>(std::max<std::int64_t>(dev_.clock.utcMs(), 0))});
                !r)
                GW_LOG(Link, Debug) << "HEARTBEAT not sent: " << r.error().describe();
    }
}

bool ScannerApp::linkReady() const noexcept
{
    // connected() turns true on the transport's thread before the Connected event reaches us; sending then
    // would put an INSPECTION ahead of our HELLO on the new connection, which the host refuses.
    return helloSent_ && dev_.link.connected();
}

bool ScannerApp::quiescent() const
{
    return spool_.count() == 0 || !dev_.link.connected();
}

} // namespace gw::fw
