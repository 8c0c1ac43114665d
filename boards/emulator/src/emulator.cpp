// SPDX-License-Identifier: Apache-2.0
// The emulator board's devices and the scenario player that drives them; implements hal::createBoard().
#include <array>
#include <deque>
#include <system_error>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <gw/emulator/capture_folder.h>
#include <gw/emulator/emulator.h>
#include <gw/hal/system_devices.h>

namespace gw::emulator {

namespace fs = std::filesystem;

/// Board-wide state shared by the devices: the scenario position, the document on the glass, the faults.
struct EmulatorState {
    hal::Clock* clock = nullptr;
    Scenario scenario;
    fs::path capturesRoot;
    std::size_t next = 0;
    std::int64_t dueUs = 0;

    bool present = false;
    bool settled = true; ///< the firmware has shown a verdict, a refusal or a fault for the document
    std::shared_ptr<const CaptureFrames> document;
    std::optional<Error> documentError;
    std::optional<int> pullAwayAfter;
    int framesOnDocument = 0;
    std::deque<hal::DocumentEvent> events;

    bool cameraFault = false;
    bool sensorFault = false;
    std::array<bool, 4> lightFault{}; // indexed by LightBank
    hal::LightBank light = hal::LightBank::Off;
    bool cameraConfigured = false;
    hal::CameraMode mode;
    std::size_t framesCaptured = 0;

    std::vector<IndicatorRecord> indicator;
    LoopbackLink* link = nullptr;

    void removeDocument()
    {
        if (!present)
            return;
        present = false;
        settled = true;
        document.reset();
        documentError.reset();
        events.push_back(hal::DocumentEvent::Removed);
    }

    void placeDocument(const ScenarioStep& step)
    {
        removeDocument();
        // Decoding happens here, while the "officer" lays the document down, not inside the camera's
        // capture: a real camera has no decode cost, and the latency figures must not include it.
        auto frames = loadCaptureFolder(capturesRoot / step.argument);
        if (frames) {
            document = std::make_shared<const CaptureFrames>(std::move(*frames));
            documentError.reset();
        } else {
            document.reset();
            documentError = frames.error();
        }
        present = true;
        settled = false;
        pullAwayAfter = step.pullAwayAfterFrames;
        framesOnDocument = 0;
        events.push_back(hal::DocumentEvent::Placed);
        if (pullAwayAfter && *pullAwayAfter == 0)
            removeDocument();
    }

    void setFault(const std::string& target, bool on)
    {
        if (target == "camera" || target == "all")
            cameraFault = on;
        if (target == "sensor" || target == "all")
            sensorFault = on;
        if (target == "white" || target == "all")
            lightFault[static_cast<std::size_t>(hal::LightBank::White)] = on;
        if (target == "ir" || target == "all")
            lightFault[static_cast<std::size_t>(hal::LightBank::Infrared)] = on;
        if (target == "uv" || target == "all")
            lightFault[static_cast<std::size_t>(hal::LightBank::Ultraviolet)] = on;
    }

    void advance()
    {
        while (events.empty() && next < scenario.steps.size()) {
            const ScenarioStep& s = scenario.steps[next];
            if (clock->monotonicUs() < dueUs)
                return;
            // The officer waits for the scanner's answer before taking the document or laying the next.
            if ((s.kind == ScenarioStep::Kind::Remove || s.kind == ScenarioStep::Kind::Place) && present &&
                !settled)
                return;
            ++next;
            switch (s.kind) {
            case ScenarioStep::Kind::Place:
                placeDocument(s);
                break;
            case ScenarioStep::Kind::Remove:
                removeDocument();
                break;
            case ScenarioStep::Kind::Wait:
                dueUs = clock->monotonicUs() + s.durationMs * 1000;
                break;
            case ScenarioStep::Kind::Fault:
                setFault(s.argument, true);
                break;
            case ScenarioStep::Kind::Clear:
                setFault(s.argument, false);
                break;
            case ScenarioStep::Kind::LinkUp:
                if (link)
                    link->connect();
                break;
            case ScenarioStep::Kind::LinkDown:
                if (link)
                    link->disconnect("scenario line " + std::to_string(s.line) + ": link down");
                break;
            case ScenarioStep::Kind::HostAck:
                if (!link)
                    break;
                if (s.argument == "release")
                    link->releaseHeldAcks();
                else
                    link->host().setAckMode(s.argument == "hold"    ? AckMode::Hold
                                            : s.argument == "never" ? AckMode::Never
                                                                    : AckMode::Immediate);
                break;
            }
        }
    }

    [[nodiscard]] bool finished() const
    {
        return next >= scenario.steps.size() && events.empty() && (!present || settled);
    }
};

class RecordingIndicator final : public hal::Indicator {
public:
    explicit RecordingIndicator(std::shared_ptr<EmulatorState> s) : s_(std::move(s)) {}

    Result<void> show(hal::LedColour colour, hal::LedPattern pattern) override
    {
        s_->indicator.push_back(IndicatorRecord{IndicatorRecord::Kind::Show, colour, pattern, {}});
        // Blue blinking is "working on it"; anything else is the scanner's answer to the document.
        if (!(colour == hal::LedColour::Blue && pattern == hal::LedPattern::Blinking))
            s_->settled = true;
        return {};
    }
    Result<void> beep(hal::BuzzerPattern pattern) override
    {
        s_->indicator.push_back(IndicatorRecord{IndicatorRecord::Kind::Beep, {}, {}, pattern});
        return {};
    }

private:
    std::shared_ptr<EmulatorState> s_;
};

namespace {

class SimLights final : public hal::Illumination {
public:
    explicit SimLights(std::shared_ptr<EmulatorState> s) : s_(std::move(s)) {}

    Result<void> select(hal::LightBank bank) override
    {
        if (bank != hal::LightBank::Off && s_->lightFault[static_cast<std::size_t>(bank)]) {
            s_->light = hal::LightBank::Off;
            return fail(Errc::LightFault, "emulator: " + std::string(hal::lightBankName(bank)) +
                                              " bank does not switch (injected fault)");
        }
        s_->light = bank;
        return {};
    }

private:
    std::shared_ptr<EmulatorState> s_;
};

class ScriptedSensor final : public hal::DocumentSensor {
public:
    explicit ScriptedSensor(std::shared_ptr<EmulatorState> s) : s_(std::move(s)) {}

    Result<std::optional<hal::DocumentEvent>> poll() override
    {
        s_->advance();
        if (s_->sensorFault)
            return fail(Errc::Io, "emulator: document sensor does not answer (injected fault)");
        if (s_->events.empty())
            return std::optional<hal::DocumentEvent>{};
        const hal::DocumentEvent e = s_->events.front();
        s_->events.pop_front();
        return std::optional<hal::DocumentEvent>{e};
    }

private:
    std::shared_ptr<EmulatorState> s_;
};

class SimCamera final : public hal::Camera {
public:
    explicit SimCamera(std::shared_ptr<EmulatorState> s) : s_(std::move(s)) {}

    Result<void> configure(const hal::CameraMode& mode) override
    {
        if (mode.widthPx <= 0 || mode.heightPx <= 0 || mode.widthPx > kMaxFrameSidePx ||
            mode.heightPx > kMaxFrameSidePx)
            return fail(Errc::InvalidArgument, "emulator: camera mode " + std::to_string(mode.widthPx) + "x" +
                                                   std::to_string(mode.heightPx) + " is not supported");
        if (s_->cameraFault)
            return fail(Errc::CameraFault, "emulator: camera does not answer (injected fault)");
        s_->mode = mode;
        s_->cameraConfigured = true;
        return {};
    }

    Result<hal::CapturedFrame> capture(std::uint32_t exposureUs, vision::PixelFormat format) override
    {
        if (!s_->cameraConfigured)
            return fail(Errc::CameraFault, "emulator: camera not configured");
        if (s_->cameraFault)
            return fail(Errc::CameraFault, "emulator: camera does not answer (injected fault)");
        if (s_->present && s_->documentError)
            return fail(Errc::CameraFault,
                        "emulator: cannot replay capture: " + s_->documentError->describe());
        s_->clock->sleepForUs(exposureUs);
        hal::CapturedFrame out;
        try {
            out.image = frameFor(format);
        } catch (const std::exception& e) {
            return fail(Errc::CameraFault, std::string("emulator: frame conversion failed: ") + e.what());
        }
        if (s_->document)
            out.pixelsPerMm = s_->document->pixelsPerMm;
        ++s_->framesCaptured;
        if (s_->present) {
            ++s_->framesOnDocument;
            if (s_->pullAwayAfter && s_->framesOnDocument >= *s_->pullAwayAfter)
                s_->removeDocument();
        }
        return out;
    }

private:
    vision::Image frameFor(vision::PixelFormat format) const
    {
        const CaptureFrames* doc = s_->present ? s_->document.get() : nullptr;
        const vision::Image* src = nullptr;
        if (doc != nullptr) {
            switch (s_->light) {
            case hal::LightBank::White:
                src = &doc->white;
                break;
            case hal::LightBank::Infrared:
                src = doc->ir ? &*doc->ir : &doc->white;
                break;
            case hal::LightBank::Ultraviolet:
                src = doc->uv ? &*doc->uv : nullptr;
                break;
            case hal::LightBank::Off:
                src = doc->dark ? &*doc->dark : nullptr;
                break;
            }
        }
        const int w = doc != nullptr ? doc->white.width : s_->mode.widthPx;
        const int h = doc != nullptr ? doc->white.height : s_->mode.heightPx;
        vision::Image img;
        img.width = w;
        img.height = h;
        img.format = format;
        if (src == nullptr) { // no light, or no document under a light it would show: black
            img.pixels.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) *
                                  static_cast<std::size_t>(vision::channels(format)),
                              0);
            return img;
        }
        if (src->format == format) {
            img.pixels = src->pixels;
            return img;
        }
        const cv::Mat in(src->height, src->width,
                         src->format == vision::PixelFormat::Bgr8 ? CV_8UC3 : CV_8UC1,
                         const_cast<std::uint8_t*>(src->pixels.data()));
        cv::Mat conv;
        cv::cvtColor(in, conv, format == vision::PixelFormat::Bgr8 ? cv::COLOR_GRAY2BGR : cv::COLOR_BGR2GRAY);
        img.pixels.assign(conv.data, conv.data + conv.total() * conv.elemSize());
        return img;
    }

    std::shared_ptr<EmulatorState> s_;
};

} // namespace

const std::vector<IndicatorRecord>& Emulator::indicatorHistory() const
{
    return state->indicator;
}

IndicatorRecord Emulator::currentLed() const
{
    for (auto it = state->indicator.rbegin(); it != state->indicator.rend(); ++it)
        if (it->kind == IndicatorRecord::Kind::Show)
            return *it;
    return {};
}

std::size_t Emulator::framesCaptured() const
{
    return state->framesCaptured;
}

bool Emulator::finished() const
{
    return state->finished();
}

Result<Emulator> createEmulator(const hal::BoardOptions& options, const EmulatorOptions& emulatorOptions)
{
    if (options.clock == nullptr)
        return fail(Errc::InvalidArgument, "emulator needs a clock");
    auto state = std::make_shared<EmulatorState>();
    state->clock = options.clock;
    if (emulatorOptions.scenario) {
        state->scenario = *emulatorOptions.scenario;
    } else if (!options.scenarioFile.empty()) {
        auto sc = loadScenario(options.scenarioFile);
        if (!sc)
            return std::unexpected(sc.error());
        state->scenario = std::move(*sc);
    }
    state->capturesRoot = !options.capturesRoot.empty()   ? options.capturesRoot
                          : !options.scenarioFile.empty() ? options.scenarioFile.parent_path()
                                                          : fs::path(".");
    for (const auto& step : state->scenario.steps) {
        std::error_code ec;
        if (step.kind == ScenarioStep::Kind::Place &&
            !fs::is_directory(state->capturesRoot / step.argument, ec))
            return fail(Errc::Io, "scenario line " + std::to_string(step.line) + ": capture folder " +
                                      (state->capturesRoot / step.argument).string() + " does not exist");
    }

    Emulator emu;
    emu.state = state;
    auto indicator = std::make_unique<RecordingIndicator>(state);
    auto link = std::make_unique<LoopbackLink>();
    emu.indicator = indicator.get();
    emu.link = link.get();
    state->link = link.get();
    link->host().setAckMode(emulatorOptions.ackMode);
    if (emulatorOptions.linkUp)
        link->connect();
    emu.devices.camera = std::make_unique<SimCamera>(state);
    emu.devices.lights = std::make_unique<SimLights>(state);
    emu.devices.sensor = std::make_unique<ScriptedSensor>(state);
    emu.devices.indicator = std::move(indicator);
    emu.devices.storage = std::make_unique<hal::DirectoryStorage>(
        options.spoolDirectory.empty() ? fs::path("spool") : options.spoolDirectory);
    emu.devices.link = std::move(link);
    emu.devices.finished = [state] {
        return state->finished();
    };
    return emu;
}

} // namespace gw::emulator

namespace gw::hal {

Result<BoardDevices> createBoard(const BoardOptions& options)
{
    auto emu = emulator::createEmulator(options);
    if (!emu)
        return std::unexpected(emu.error());
    return std::move(emu->devices);
}

std::string_view boardName() noexcept
{
    return "emulator";
}

} // namespace gw::hal
