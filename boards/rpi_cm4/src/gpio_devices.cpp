// SPDX-License-Identifier: Apache-2.0
// LED banks, document sensor, status LED and buzzer on GPIO lines through libgpiod (v1 API, Debian 12).
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <gpiod.h>
#include <mutex>
#include <thread>

#include <gw/boards/rpi_cm4/devices.h>

#include "../board_config.h"

namespace gw::boards::rpi_cm4 {
namespace {

constexpr const char* kConsumer = "grenswacht";

struct ChipCloser {
    void operator()(gpiod_chip* chip) const noexcept { gpiod_chip_close(chip); }
};
using ChipPtr = std::unique_ptr<gpiod_chip, ChipCloser>;

Result<ChipPtr> openChip(const std::string& name)
{
    ChipPtr chip(gpiod_chip_open_by_name(name.c_str()));
    if (!chip)
        return fail(Errc::Io, "cannot open GPIO chip " + name + ": " + std::strerror(errno));
    return chip;
}

// Lines belong to the chip in libgpiod v1: closing the chip releases them.
Result<gpiod_line*> requestLine(gpiod_chip* chip, unsigned offset, bool output)
{
    gpiod_line* line = gpiod_chip_get_line(chip, offset);
    if (line == nullptr)
        return fail(Errc::Io, "GPIO line " + std::to_string(offset) + " does not exist");
    const int r =
        output ? gpiod_line_request_output(line, kConsumer, 0) : gpiod_line_request_input(line, kConsumer);
    if (r < 0)
        return fail(Errc::Io,
                    "GPIO line " + std::to_string(offset) + " cannot be requested: " + std::strerror(errno));
    return line;
}

class GpioLights final : public hal::Illumination {
public:
    GpioLights(ChipPtr chip, gpiod_line* white, gpiod_line* ir, gpiod_line* uv)
        : chip_(std::move(chip)), white_(white), ir_(ir), uv_(uv)
    {
    }
    ~GpioLights() override { (void)select(hal::LightBank::Off); }

    Result<void> select(hal::LightBank bank) override
    {
        // Off first, then on: two banks are never lit together, even for a moment.
        const std::pair<gpiod_line*, hal::LightBank> lines[] = {{white_, hal::LightBank::White},
                                                                {ir_, hal::LightBank::Infrared},
                                                                {uv_, hal::LightBank::Ultraviolet}};
        for (const auto& [line, b] : lines)
            if (b != bank && gpiod_line_set_value(line, 0) < 0)
                return fail(Errc::LightFault,
                            std::string(hal::lightBankName(b)) + " bank does not switch off");
        for (const auto& [line, b] : lines)
            if (b == bank && gpiod_line_set_value(line, 1) < 0)
                return fail(Errc::LightFault,
                            std::string(hal::lightBankName(b)) + " bank does not switch on");
        return {};
    }

private:
    ChipPtr chip_;
    gpiod_line* white_;
    gpiod_line* ir_;
    gpiod_line* uv_;
};

class GpioSensor final : public hal::DocumentSensor {
public:
    GpioSensor(ChipPtr chip, gpiod_line* line, bool activeLow, hal::Clock& clock)
        : chip_(std::move(chip)), line_(line), activeLow_(activeLow), clock_(clock)
    {
    }

    Result<std::optional<hal::DocumentEvent>> poll() override
    {
        const int v = gpiod_line_get_value(line_);
        if (v < 0)
            return fail(Errc::Io, std::string("document sensor cannot be read: ") + std::strerror(errno));
        const bool level = activeLow_ ? v == 0 : v == 1;
        const std::int64_t now = clock_.monotonicUs();
        if (level != candidate_) {
            candidate_ = level;
            since_ = now;
        }
        if (candidate_ != reported_ && now - since_ >= kSensorDebounceUs) {
            reported_ = candidate_;
            return std::optional<hal::DocumentEvent>(reported_ ? hal::DocumentEvent::Placed
                                                               : hal::DocumentEvent::Removed);
        }
        return std::optional<hal::DocumentEvent>{};
    }

private:
    ChipPtr chip_;
    gpiod_line* line_;
    bool activeLow_;
    hal::Clock& clock_;
    bool candidate_ = false;
    bool reported_ = false;
    std::int64_t since_ = 0;
};

class GpioIndicator final : public hal::Indicator {
public:
    GpioIndicator(ChipPtr chip, gpiod_line* r, gpiod_line* g, gpiod_line* b, gpiod_line* buzzer)
        : chip_(std::move(chip)), r_(r), g_(g), b_(b), buzzer_(buzzer), worker_([this] { run(); })
    {
    }
    ~GpioIndicator() override
    {
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
        worker_.join();
        setLed(hal::LedColour::Off);
        gpiod_line_set_value(buzzer_, 0);
    }

    Result<void> show(hal::LedColour colour, hal::LedPattern pattern) override
    {
        {
            const std::lock_guard lock(mutex_);
            colour_ = colour;
            pattern_ = pattern;
        }
        wake_.notify_all();
        return {};
    }
    Result<void> beep(hal::BuzzerPattern pattern) override
    {
        {
            const std::lock_guard lock(mutex_);
            if (beeps_.size() < 4) // a backlog of beeps helps nobody
                beeps_.push_back(pattern);
        }
        wake_.notify_all();
        return {};
    }

private:
    void setLed(hal::LedColour c)
    {
        const bool red = c == hal::LedColour::Red || c == hal::LedColour::Amber;
        const bool green = c == hal::LedColour::Green || c == hal::LedColour::Amber;
        const bool blue = c == hal::LedColour::Blue;
        gpiod_line_set_value(r_, red ? 1 : 0);
        gpiod_line_set_value(g_, green ? 1 : 0);
        gpiod_line_set_value(b_, blue ? 1 : 0);
    }

    void run()
    {
        using namespace std::chrono_literals;
        bool phase = true;
        std::unique_lock lock(mutex_);
        while (!stop_) {
            const hal::LedColour colour = colour_;
            const bool blinking = pattern_ == hal::LedPattern::Blinking;
            std::optional<hal::BuzzerPattern> beep;
            if (!beeps_.empty()) {
                beep = beeps_.front();
                beeps_.pop_front();
            }
            lock.unlock();
            setLed(blinking && !phase ? hal::LedColour::Off : colour);
            if (beep) {
                const int pulses = *beep == hal::BuzzerPattern::Double ? 2 : 1;
                const auto onTime = *beep == hal::BuzzerPattern::Long ? 600ms : 80ms;
                for (int i = 0; i < pulses; ++i) {
                    gpiod_line_set_value(buzzer_, 1);
                    std::this_thread::sleep_for(onTime);
                    gpiod_line_set_value(buzzer_, 0);
                    std::this_thread::sleep_for(80ms);
                }
            }
            lock.lock();
            phase = !phase;
            // 2.5 Hz blinking; a steady LED sleeps until something changes.
            if (blinking)
                wake_.wait_for(lock, 200ms);
            else if (beeps_.empty() && colour_ == colour && pattern_ == hal::LedPattern::Steady && !stop_)
                wake_.wait(lock);
        }
    }

    ChipPtr chip_;
    gpiod_line* r_;
    gpiod_line* g_;
    gpiod_line* b_;
    gpiod_line* buzzer_;
    std::mutex mutex_;
    std::condition_variable wake_;
    hal::LedColour colour_ = hal::LedColour::Off;
    hal::LedPattern pattern_ = hal::LedPattern::Steady;
    std::deque<hal::BuzzerPattern> beeps_;
    bool stop_ = false;
    std::thread worker_; // last: starts after every member it reads is initialised
};

} // namespace

Result<std::unique_ptr<hal::Illumination>> openGpioLights(const GpioWiring& w)
{
    auto chip = openChip(w.chip);
    if (!chip)
        return std::unexpected(chip.error());
    gpiod_line* lines[3] = {};
    const unsigned offsets[3] = {w.lightWhite, w.lightIr, w.lightUv};
    for (int i = 0; i < 3; ++i) {
        auto l = requestLine(chip->get(), offsets[i], true);
        if (!l)
            return fail(Errc::LightFault, l.error().message());
        lines[i] = *l;
    }
    return std::unique_ptr<hal::Illumination>(
        std::make_unique<GpioLights>(std::move(*chip), lines[0], lines[1], lines[2]));
}

Result<std::unique_ptr<hal::DocumentSensor>> openGpioSensor(const GpioWiring& w, hal::Clock& clock)
{
    auto chip = openChip(w.chip);
    if (!chip)
        return std::unexpected(chip.error());
    auto l = requestLine(chip->get(), w.documentSensor, false);
    if (!l)
        return std::unexpected(l.error());
    return std::unique_ptr<hal::DocumentSensor>(
        std::make_unique<GpioSensor>(std::move(*chip), *l, w.documentSensorActiveLow, clock));
}

Result<std::unique_ptr<hal::Indicator>> openGpioIndicator(const GpioWiring& w)
{
    auto chip = openChip(w.chip);
    if (!chip)
        return std::unexpected(chip.error());
    gpiod_line* lines[4] = {};
    const unsigned offsets[4] = {w.ledRed, w.ledGreen, w.ledBlue, w.buzzer};
    for (int i = 0; i < 4; ++i) {
        auto l = requestLine(chip->get(), offsets[i], true);
        if (!l)
            return std::unexpected(l.error());
        lines[i] = *l;
    }
    return std::unique_ptr<hal::Indicator>(
        std::make_unique<GpioIndicator>(std::move(*chip), lines[0], lines[1], lines[2], lines[3]));
}

} // namespace gw::boards::rpi_cm4
