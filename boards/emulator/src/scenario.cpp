// SPDX-License-Identifier: Apache-2.0
// Scenario text parser: one step per line, '#' comments, errors name the line.
#include <charconv>
#include <fstream>
#include <sstream>

#include <gw/emulator/scenario.h>

namespace gw::emulator {
namespace {

constexpr std::int64_t kMaxWaitMs = 24LL * 3600 * 1000;
constexpr int kMaxPullAwayFrames = 64;

std::vector<std::string_view> words(std::string_view line)
{
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            ++i;
        if (i > start)
            out.push_back(line.substr(start, i - start));
    }
    return out;
}

template <typename T>
bool parseNumber(std::string_view s, T& v)
{
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
}

bool isTarget(std::string_view s)
{
    return s == "camera" || s == "white" || s == "ir" || s == "uv" || s == "sensor";
}

} // namespace

Result<Scenario> parseScenario(std::string_view text)
{
    if (text.size() > kMaxScenarioBytes)
        return fail(Errc::InvalidInput, "scenario has " + std::to_string(text.size()) + " bytes, limit " +
                                            std::to_string(kMaxScenarioBytes));
    Scenario sc;
    int lineNo = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++lineNo;
        if (const auto hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        const auto w = words(line);
        if (w.empty())
            continue;
        auto bad = [&](const std::string& why) {
            return fail(Errc::InvalidInput, "scenario line " + std::to_string(lineNo) + ": " + why);
        };
        ScenarioStep step;
        step.line = lineNo;
        const std::string_view cmd = w[0];
        if (cmd == "place") {
            if (w.size() < 2 || w.size() > 3)
                return bad("usage: place <capture-folder> [pull_away_after=<frames>]");
            step.kind = ScenarioStep::Kind::Place;
            step.argument = std::string(w[1]);
            if (w.size() == 3) {
                constexpr std::string_view key = "pull_away_after=";
                int n = 0;
                if (!w[2].starts_with(key) || !parseNumber(w[2].substr(key.size()), n) || n < 0 ||
                    n > kMaxPullAwayFrames)
                    return bad("expected pull_away_after=<0.." + std::to_string(kMaxPullAwayFrames) + ">");
                step.pullAwayAfterFrames = n;
            }
        } else if (cmd == "remove") {
            if (w.size() != 1)
                return bad("remove takes no argument");
            step.kind = ScenarioStep::Kind::Remove;
        } else if (cmd == "wait") {
            std::int64_t ms = 0;
            if (w.size() != 2 || !parseNumber(w[1], ms) || ms < 0 || ms > kMaxWaitMs)
                return bad("usage: wait <milliseconds 0.." + std::to_string(kMaxWaitMs) + ">");
            step.kind = ScenarioStep::Kind::Wait;
            step.durationMs = ms;
        } else if (cmd == "fault" || cmd == "clear") {
            if (w.size() != 2 || !(isTarget(w[1]) || (cmd == "clear" && w[1] == "all")))
                return bad("usage: " + std::string(cmd) + " camera|white|ir|uv|sensor" +
                           (cmd == "clear" ? "|all" : ""));
            step.kind = cmd == "fault" ? ScenarioStep::Kind::Fault : ScenarioStep::Kind::Clear;
            step.argument = std::string(w[1]);
        } else if (cmd == "link") {
            if (w.size() != 2 || (w[1] != "up" && w[1] != "down"))
                return bad("usage: link up|down");
            step.kind = w[1] == "up" ? ScenarioStep::Kind::LinkUp : ScenarioStep::Kind::LinkDown;
        } else if (cmd == "host") {
            if (w.size() != 2 || (w[1] != "ack" && w[1] != "hold" && w[1] != "never" && w[1] != "release"))
                return bad("usage: host ack|hold|never|release");
            step.kind = ScenarioStep::Kind::HostAck;
            step.argument = std::string(w[1]);
        } else {
            return bad("unknown step '" + std::string(cmd) + "'");
        }
        sc.steps.push_back(std::move(step));
    }
    return sc;
}

Result<Scenario> loadScenario(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(Errc::Io, "cannot open scenario " + file.string());
    std::string text(kMaxScenarioBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    auto sc = parseScenario(text);
    if (!sc)
        return fail(sc.error().code(), file.filename().string() + ": " + sc.error().message());
    return sc;
}

} // namespace gw::emulator
