// SPDX-License-Identifier: Apache-2.0
// The chain fault run: child processes, fault schedule, firmware log and spool bookkeeping, store check.
#include "chain_faults.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <spawn.h>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sys/wait.h>

#include <gw/link/crc32.h>
#include <gw/link/testing.h>

extern char** environ;

namespace gw::e2e {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr std::string_view kDeviceId = "GW-EMU-0001";
constexpr milliseconds kTick{20};
constexpr milliseconds kStartTimeout{30000}; ///< a station that is not serving after this is a failure
constexpr milliseconds kTermTimeout{30000};  ///< SIGTERM -> exit of the station (stops every connection)
constexpr std::size_t kListedIds = 10;

// Spool entry header (firmware/app/spool/src/spool_file.h, docs/firmware.md): "GWSP", version 1 at byte 4,
// sequence at 8, inspection id at 16..31, body length at 32, body CRC at 40, header CRC-32 of bytes 0..43
// at 44 (little endian). Kept here, read-only, so the check does not trust the code it checks.
constexpr std::size_t kSpoolHeaderBytes = 48;
constexpr std::size_t kSpoolIdOffset = 16;
constexpr std::size_t kSpoolCrcOffset = 44;
constexpr std::size_t kSpoolNameDigits = 20;

// ---- child processes ---------------------------------------------------------------------------------

/// One child process with its output appended to a file; killed (SIGKILL) and reaped when destroyed.
class Child {
public:
    Child() = default;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { (void)signalAndWait(SIGKILL, milliseconds(10000)); }

    Result<void> spawn(const std::vector<std::string>& args, const fs::path& output)
    {
        if (running())
            return fail(Errc::Internal, "child " + args.front() + " is still running");
        posix_spawn_file_actions_t actions;
        if (posix_spawn_file_actions_init(&actions) != 0)
            return fail(Errc::Io, "posix_spawn_file_actions_init failed");
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        std::vector<std::string> owned = args;
        std::vector<char*> argv;
        for (auto& a : owned)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = -1;
        const int rc = posix_spawn(&pid, owned.front().c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0)
            return fail(Errc::Io, "cannot start " + owned.front() + ": " + std::strerror(rc));
        pid_ = pid;
        status_.reset();
        return {};
    }

    /// True while the process has not been reaped.
    bool running()
    {
        if (pid_ <= 0)
            return false;
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_ || (r < 0 && errno == ECHILD)) {
            status_ = status;
            pid_ = -1;
            return false;
        }
        return true;
    }

    /// Sends @p sig and reaps the process within @p timeout (then SIGKILL). @return true when it was running.
    bool signalAndWait(int sig, milliseconds timeout)
    {
        if (!running())
            return false;
        ::kill(pid_, sig);
        const auto deadline = Clock::now() + timeout;
        while (running()) {
            if (Clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                int status = 0;
                ::waitpid(pid_, &status, 0);
                status_ = status;
                pid_ = -1;
                break;
            }
            std::this_thread::sleep_for(milliseconds(5));
        }
        return true;
    }

    /// The wait status of the last process once reaped.
    [[nodiscard]] std::optional<int> status() const { return status_; }

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

std::string describeStatus(int status)
{
    if (WIFEXITED(status))
        return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return std::string("signal ") + strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

bool exitedCleanly(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// ---- logs ---------------------------------------------------------------------------------------------

bool isHexId(std::string_view s)
{
    return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

/// What one gw-firmware run logged (read incrementally while it runs).
struct FirmwareRun {
    fs::path logFile;
    std::uint64_t offset = 0; ///< bytes of complete lines already read
    std::size_t placed = 0;
    std::size_t aborted = 0;
    std::size_t failed = 0;
    std::vector<std::string> created; ///< ids of "inspection <id> verdict ..." (logged after the spool write)
    std::vector<double> latenciesMs;  ///< "inspection <id> stored|duplicate by the host, N ms after placing"
    bool killed = false;

    void readNewLines()
    {
        std::error_code ec;
        const std::uint64_t size = fs::file_size(logFile, ec);
        if (ec || size <= offset)
            return;
        std::ifstream in(logFile, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset));
        std::string chunk(static_cast<std::size_t>(size - offset), '\0');
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        chunk.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
        const std::size_t lastNewline = chunk.rfind('\n');
        if (lastNewline == std::string::npos)
            return;
        offset += lastNewline + 1;
        std::size_t pos = 0;
        while (pos <= lastNewline) {
            const std::size_t nl = chunk.find('\n', pos);
            parseLine(std::string_view(chunk).substr(pos, nl - pos));
            pos = nl + 1;
        }
    }

private:
    void parseLine(std::string_view line)
    {
        if (line.find("document placed: capture sequence starts") != std::string_view::npos) {
            ++placed;
            return;
        }
        if (line.find("document removed during the capture") != std::string_view::npos) {
            ++aborted;
            return;
        }
        if (line.find("capture failed:") != std::string_view::npos ||
            line.find("inspection not recorded") != std::string_view::npos) {
            ++failed;
            return;
        }
        constexpr std::string_view kInspection = "inspection ";
        const std::size_t at = line.find(kInspection);
        if (at == std::string_view::npos)
            return;
        const std::string_view rest = line.substr(at + kInspection.size());
        if (rest.size() < 33 || !isHexId(rest.substr(0, 32)) || rest[32] != ' ')
            return;
        const std::string_view tail = rest.substr(33);
        if (tail.starts_with("verdict ")) {
            created.emplace_back(rest.substr(0, 32));
        } else if (tail.starts_with("stored by the host, ") || tail.starts_with("duplicate by the host, ")) {
            const std::size_t comma = tail.find(", ");
            const std::string_view ms = tail.substr(comma + 2);
            long long v = 0;
            const char* first = ms.data();
            const char* last = ms.data() + ms.size();
            const auto [ptr, ec] = std::from_chars(first, last, v);
            if (ec == std::errc() && ptr != first &&
                std::string_view(ptr, last).starts_with(" ms after placing"))
                latenciesMs.push_back(static_cast<double>(v));
        }
    }
};

/// STORED / DUPLICATE lines of gw-station --print-verdicts, over every station run.
struct StationAnswers {
    std::map<std::string, std::size_t> storedAnswers;
    std::size_t duplicates = 0;
};

StationAnswers readStationAnswers(const fs::path& file)
{
    StationAnswers out;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string kind, verdict, id;
        words >> kind >> verdict >> id;
        if (!isHexId(id))
            continue;
        if (kind == "STORED")
            ++out.storedAnswers[id];
        else if (kind == "DUPLICATE")
            ++out.duplicates;
    }
    return out;
}

/// Inspection id -> rows in the station's database (read-only).
Result<std::map<std::string, std::size_t>> readStoredIds(const fs::path& db)
{
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> handle(raw, &sqlite3_close);
    if (rc != SQLITE_OK)
        return fail(Errc::Io, "cannot open " + db.string() + " read-only: " + sqlite3_errstr(rc));
    sqlite3_stmt* rawStmt = nullptr;
    if (sqlite3_prepare_v2(handle.get(), "SELECT id, COUNT(*) FROM inspections GROUP BY id", -1, &rawStmt,
                           nullptr) != SQLITE_OK)
        return fail(Errc::Io, "cannot query " + db.string() + ": " + sqlite3_errmsg(handle.get()));
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(rawStmt, &sqlite3_finalize);
    std::map<std::string, std::size_t> ids;
    int step = 0;
    while ((step = sqlite3_step(stmt.get())) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
        ids[text != nullptr ? std::string(text) : std::string()] +=
            static_cast<std::size_t>(sqlite3_column_int64(stmt.get(), 1));
    }
    if (step != SQLITE_DONE)
        return fail(Errc::Io, "reading " + db.string() + ": " + sqlite3_errmsg(handle.get()));
    return ids;
}

// ---- captures and scenarios ---------------------------------------------------------------------------

Result<std::vector<std::string>> captureFolders(const fs::path& root)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_directory(ec))
            continue;
        for (const char* ext : {"png", "jpg", "tif", "tiff", "bmp"}) {
            if (fs::exists(it->path() / (std::string("white.") + ext), ec)) {
                names.push_back(it->path().filename().string());
                break;
            }
        }
    }
    if (ec)
        return fail(Errc::Io, "cannot list captures in " + root.string() + ": " + ec.message());
    if (names.empty())
        return fail(Errc::InvalidArgument, "no capture folders (with white.png) in " + root.string());
    std::sort(names.begin(), names.end());
    return names;
}

Result<void> writeText(const fs::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        return fail(Errc::Io, "cannot write " + file.string());
    return {};
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

enum class Fault { FirmwareKill, StationKill, StationTerm, LinkCut };

/// The whole run's state; one object so that the helpers stay small.
class Run {
public:
    Run(const ChainFaultOptions& options, ChainFaultReport& report)
        : o_(options), r_(report), rng_(options.seed)
    {
    }

    Result<void> run();

private:
    void say(const std::string& text) const
    {
        if (o_.progress)
            o_.progress(text);
    }
    Result<void> prepare();
    Result<void> startStation();
    Result<void> startFirmware();
    void afterFirmwareEnded();
    void pollFirmwareLog();
    void inject(Fault fault);
    Fault nextFault();
    milliseconds randomMs(milliseconds lo, milliseconds hi)
    {
        return milliseconds(
            std::uniform_int_distribution<long long>(lo.count(), std::max(lo, hi).count())(rng_));
    }
    Result<void> verify();

    const ChainFaultOptions& o_;
    ChainFaultReport& r_;
    std::mt19937_64 rng_;

    fs::path pkiDir_, capturesDir_, spoolDir_, logDir_, dbFile_, readyFile_, stationOut_;
    std::vector<std::string> captures_;
    std::size_t placementsWritten_ = 0; ///< rotates the capture folders across runs
    std::unique_ptr<link::testing::FaultProxy> proxy_;
    std::uint16_t stationPort_ = 0;
    Child station_, firmware_;
    std::vector<FirmwareRun> runs_;
    std::set<std::string> created_;
    std::vector<Fault> bag_;
    std::optional<Clock::time_point> stationRestartAt_, firmwareRestartAt_;
};

Result<void> Run::prepare()
{
    std::error_code ec;
    if (fs::exists(o_.workDir, ec) && !fs::is_empty(o_.workDir, ec))
        return fail(Errc::InvalidArgument, "working folder " + o_.workDir.string() + " is not empty");
    pkiDir_ = o_.workDir / "pki";
    spoolDir_ = o_.workDir / "spool";
    logDir_ = o_.workDir / "logs";
    dbFile_ = o_.workDir / "station.db";
    readyFile_ = o_.workDir / "ready.json";
    stationOut_ = logDir_ / "station.out";
    fs::create_directories(logDir_, ec);
    if (ec)
        return fail(Errc::Io, "cannot create " + logDir_.string() + ": " + ec.message());
    auto pki = link::testing::makeTestPki(pkiDir_, {std::string(kDeviceId)});
    if (!pki)
        return std::unexpected(pki.error());

    capturesDir_ = o_.captures;
    if (capturesDir_.empty()) {
        capturesDir_ = o_.workDir / "captures";
        say("generating " + std::to_string(o_.captureCount) + " specimen captures");
        Child specimen;
        if (auto ok = specimen.spawn({o_.paths.specimen.string(), "generate", "--out", capturesDir_.string(),
                                      "--count", std::to_string(o_.captureCount), "--seed",
                                      std::to_string(o_.seed % 1'000'000'007ULL), "--forgeries", "all",
                                      "--forged-share", "0.4", "--dpi", "300"},
                                     logDir_ / "specimen.log");
            !ok)
            return ok;
        const auto deadline = Clock::now() + std::chrono::seconds(600);
        while (specimen.running() && Clock::now() < deadline)
            std::this_thread::sleep_for(kTick);
        specimen.signalAndWait(SIGKILL, milliseconds(1000));
        if (!specimen.status() || !exitedCleanly(*specimen.status()))
            return fail(Errc::Io, "specimen generate failed; see " + (logDir_ / "specimen.log").string());
    }
    auto names = captureFolders(capturesDir_);
    if (!names)
        return std::unexpected(names.error());
    captures_ = std::move(*names);
    return {};
}

Result<void> Run::startStation()
{
    std::error_code ec;
    fs::remove(readyFile_, ec);
    ++r_.stationRuns;
    if (auto ok = station_.spawn(
            {o_.paths.station.string(), "serve", "--db", dbFile_.string(), "--http-port", "0", "--link-bind",
             "127.0.0.1", "--link-port", std::to_string(stationPort_), "--link-ca",
             (pkiDir_ / "ca.crt").string(), "--link-cert", (pkiDir_ / "host.crt").string(), "--link-key",
             (pkiDir_ / "host.key").string(), "--print-verdicts", "--ready-file", readyFile_.string()},
            stationOut_);
        !ok)
        return ok;
    const auto deadline = Clock::now() + kStartTimeout;
    while (Clock::now() < deadline) {
        if (!station_.running())
            return fail(Errc::Io, "gw-station ended at start (" +
                                      describeStatus(station_.status().value_or(0)) + "); see " +
                                      stationOut_.string());
        if (fs::exists(readyFile_, ec)) {
            try {
                std::ifstream in(readyFile_);
                const auto ready = nlohmann::json::parse(in);
                const int port = ready.at("link_port").get<int>();
                if (port <= 0 || port > 65535)
                    return fail(Errc::Io, "gw-station reports no link port");
                if (stationPort_ != 0 && port != stationPort_)
                    return fail(Errc::Io, "gw-station came back on another port");
                stationPort_ = static_cast<std::uint16_t>(port);
                return {};
            } catch (const std::exception& e) {
                return fail(Errc::Io, std::string("unreadable ready file: ") + e.what());
            }
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
    return fail(Errc::Timeout, "gw-station did not start serving; see " + stationOut_.string());
}

Result<void> Run::startFirmware()
{
    const std::size_t remaining = created_.size() >= o_.inspections ? 0 : o_.inspections - created_.size();
    std::string scenario = "# bench_chain_faults run " + std::to_string(runs_.size() + 1) + ": " +
                           std::to_string(remaining) + " placement(s)\n";
    for (std::size_t i = 0; i < remaining; ++i) {
        scenario += "place " + captures_[placementsWritten_++ % captures_.size()] + "\nremove\nwait " +
                    std::to_string(o_.placementGap.count()) + "\n";
    }
    if (remaining == 0)
        scenario += "wait 1\n";
    const fs::path scenarioFile = o_.workDir / ("scenario-" + std::to_string(runs_.size() + 1) + ".scn");
    if (auto ok = writeText(scenarioFile, scenario); !ok)
        return ok;
    FirmwareRun run;
    run.logFile = logDir_ / ("firmware-" + std::to_string(runs_.size() + 1) + ".log");
    std::vector<std::string> args = {o_.paths.firmware.string(),
                                     "--scenario",
                                     scenarioFile.string(),
                                     "--captures",
                                     capturesDir_.string(),
                                     "--spool",
                                     spoolDir_.string(),
                                     "--device-id",
                                     std::string(kDeviceId),
                                     "--host",
                                     "127.0.0.1:" + std::to_string(proxy_->port()),
                                     "--tls-ca",
                                     (pkiDir_ / "ca.crt").string(),
                                     "--tls-cert",
                                     (pkiDir_ / (std::string(kDeviceId) + ".crt")).string(),
                                     "--tls-key",
                                     (pkiDir_ / (std::string(kDeviceId) + ".key")).string(),
                                     "--server-name",
                                     "localhost",
                                     "--log-level",
                                     "info"};
    if (!o_.vizModel.empty()) {
        args.push_back("--viz-model");
        args.push_back(o_.vizModel);
    }
    if (auto ok = firmware_.spawn(args, run.logFile); !ok)
        return ok;
    runs_.push_back(std::move(run));
    ++r_.firmwareRuns;
    return {};
}

void Run::pollFirmwareLog()
{
    if (runs_.empty())
        return;
    FirmwareRun& run = runs_.back();
    run.readNewLines();
    created_.insert(run.created.begin(), run.created.end());
}

void Run::afterFirmwareEnded()
{
    // The process is gone: its log is complete and its spool folder is still.
    pollFirmwareLog();
    FirmwareRun& run = runs_.back();
    std::size_t torn = 0;
    std::size_t spoolOnly = 0;
    if (auto ids = listSpoolIds(spoolDir_, &torn)) {
        for (const auto& id : *ids) {
            if (created_.insert(id).second)
                ++spoolOnly;
        }
    }
    r_.tornTempFiles += torn;
    r_.spoolOnly += spoolOnly;
    if (run.killed) {
        // One document at a time: a placement that left neither a log line nor a spool file was cut off.
        const std::size_t accounted = run.created.size() + spoolOnly + run.aborted + run.failed;
        if (run.placed > accounted)
            r_.interrupted += run.placed - accounted;
    }
}

Fault Run::nextFault()
{
    // A shuffled bag rather than independent draws: every kind comes up evenly, even in a short run.
    if (bag_.empty()) {
        bag_ = {Fault::FirmwareKill, Fault::FirmwareKill, Fault::StationKill,
                Fault::StationTerm,  Fault::LinkCut,      Fault::LinkCut};
        std::shuffle(bag_.begin(), bag_.end(), rng_);
    }
    const Fault f = bag_.back();
    bag_.pop_back();
    return f;
}

void Run::inject(Fault fault)
{
    switch (fault) {
    case Fault::FirmwareKill:
        if (firmware_.signalAndWait(SIGKILL, milliseconds(10000))) {
            runs_.back().killed = true;
            ++r_.firmwareKills;
            afterFirmwareEnded();
            firmwareRestartAt_ = Clock::now() + randomMs(milliseconds(0), o_.downtimeMax);
        }
        break;
    case Fault::StationKill:
    case Fault::StationTerm: {
        const bool term = fault == Fault::StationTerm;
        if (station_.signalAndWait(term ? SIGTERM : SIGKILL, term ? kTermTimeout : milliseconds(10000))) {
            ++(term ? r_.stationTerms : r_.stationKills);
            stationRestartAt_ = Clock::now() + randomMs(milliseconds(0), o_.downtimeMax);
        }
        break;
    }
    case Fault::LinkCut:
        proxy_->cutAll();
        ++r_.linkCuts;
        break;
    }
}

Result<void> Run::run()
{
    if (auto ok = prepare(); !ok)
        return ok;
    if (auto ok = startStation(); !ok)
        return ok;
    auto proxy = link::testing::FaultProxy::create(stationPort_, o_.seed, {0.0, o_.proxyCutProbability});
    if (!proxy)
        return std::unexpected(proxy.error());
    proxy_ = std::move(*proxy);

    const auto start = Clock::now();
    if (auto ok = startFirmware(); !ok)
        return ok;
    say("station on 127.0.0.1:" + std::to_string(stationPort_) + ", firmware through the proxy on port " +
        std::to_string(proxy_->port()));
    auto nextFaultAt = Clock::now() + randomMs(o_.faultEveryMin, o_.faultEveryMax);
    const auto runDeadline = start + o_.runTimeout;
    std::optional<Clock::time_point> drainDeadline;
    std::size_t reported = 0;
    for (;;) {
        std::this_thread::sleep_for(kTick);
        const auto now = Clock::now();
        pollFirmwareLog();
        const bool creating = created_.size() < o_.inspections;
        if (!creating && !drainDeadline) {
            // Everything is created: no more faults; the firmware empties its spool and ends by itself.
            drainDeadline = now + o_.drainTimeout;
            proxy_->setFaults({});
            say("created " + std::to_string(created_.size()) + " inspections; draining");
        }
        if (created_.size() >= reported + 100 || (created_.size() > reported && !creating)) {
            reported = created_.size();
            say("created " + std::to_string(reported) + "/" + std::to_string(o_.inspections) +
                ", faults: " + std::to_string(r_.firmwareKills) + " firmware kills, " +
                std::to_string(r_.stationKills) + " station kills, " + std::to_string(r_.stationTerms) +
                " station stops, " + std::to_string(r_.linkCuts) + " link cuts");
        }

        if (stationRestartAt_ && now >= *stationRestartAt_) {
            stationRestartAt_.reset();
            if (auto ok = startStation(); !ok)
                return ok;
        } else if (!stationRestartAt_ && !station_.running()) {
            r_.problem =
                "gw-station ended on its own (" + describeStatus(station_.status().value_or(0)) + ")";
            break;
        }

        if (!firmwareRestartAt_ && !firmware_.running()) {
            afterFirmwareEnded();
            const int status = firmware_.status().value_or(0);
            if (!exitedCleanly(status)) {
                r_.problem = "gw-firmware failed (" + describeStatus(status) + "); see " +
                             runs_.back().logFile.string();
                break;
            }
            if (created_.size() >= o_.inspections)
                break; // drained: the firmware ends only with an empty spool and its scenario done
            firmwareRestartAt_ = now; // its scenario ended short (e.g. an aborted capture): re-place
        }
        if (firmwareRestartAt_ && now >= *firmwareRestartAt_) {
            firmwareRestartAt_.reset();
            if (auto ok = startFirmware(); !ok)
                return ok;
        }

        if (creating && now >= nextFaultAt) {
            inject(nextFault());
            nextFaultAt = Clock::now() + randomMs(o_.faultEveryMin, o_.faultEveryMax);
        }
        if (creating && now > runDeadline) {
            r_.problem = "timeout: only " + std::to_string(created_.size()) + " inspections created in " +
                         std::to_string(o_.runTimeout.count()) + " s";
            break;
        }
        if (drainDeadline && now > *drainDeadline) {
            r_.problem = "timeout: the firmware did not empty its spool within " +
                         std::to_string(o_.drainTimeout.count()) + " s";
            break;
        }
    }
    r_.wallSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (firmware_.signalAndWait(SIGKILL, milliseconds(10000)))
        afterFirmwareEnded();
    r_.proxyCuts = static_cast<std::size_t>(proxy_->stats().cuts);
    proxy_.reset();
    if (!station_.signalAndWait(SIGTERM, kTermTimeout) && r_.problem.empty() && !stationRestartAt_)
        r_.problem = "gw-station was not running at the end";
    return verify();
}

Result<void> Run::verify()
{
    r_.created = created_.size();
    auto check = checkStore(dbFile_, stationOut_, created_);
    if (!check)
        return std::unexpected(check.error());
    r_.stored = check->stored;
    r_.lost = check->lost;
    r_.duplicated = check->duplicated;
    r_.unexpected = check->unexpected;
    r_.duplicateAcks = check->duplicateAcks;
    r_.lostIds = std::move(check->lostIds);
    r_.duplicatedIds = std::move(check->duplicatedIds);
    std::vector<double> latencies;
    for (const auto& run : runs_)
        latencies.insert(latencies.end(), run.latenciesMs.begin(), run.latenciesMs.end());
    r_.latencySamples = latencies.size();
    if (!latencies.empty())
        r_.medianPlacedToAckMs = median(std::move(latencies));
    // Files the spool set aside (corrupt at recovery, rejected by the host) would be inspections that never
    // reach the store: name them.
    std::error_code ec;
    std::size_t setAside = 0;
    for (fs::directory_iterator it(spoolDir_, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.ends_with(".corrupt") || name.ends_with(".rejected"))
            ++setAside;
    }
    if (setAside > 0 && r_.problem.empty())
        r_.problem = std::to_string(setAside) + " spool file(s) set aside as corrupt or rejected";
    return {};
}

} // namespace

Result<StoreCheck> checkStore(const fs::path& db, const fs::path& stationOutput,
                              const std::set<std::string>& created)
{
    auto stored = readStoredIds(db);
    if (!stored)
        return std::unexpected(stored.error());
    const StationAnswers answers = readStationAnswers(stationOutput);
    StoreCheck c;
    c.duplicateAcks = answers.duplicates;
    c.stored = stored->size();
    for (const auto& id : created) {
        if (!stored->contains(id)) {
            ++c.lost;
            if (c.lostIds.size() < kListedIds)
                c.lostIds.push_back(id);
        }
    }
    std::set<std::string> twice;
    for (const auto& [id, rows] : *stored) {
        if (rows > 1)
            twice.insert(id);
        if (!created.contains(id))
            ++c.unexpected;
    }
    for (const auto& [id, n] : answers.storedAnswers) {
        if (n > 1)
            twice.insert(id);
    }
    c.duplicated = twice.size();
    for (const auto& id : twice) {
        if (c.duplicatedIds.size() < kListedIds)
            c.duplicatedIds.push_back(id);
    }
    return c;
}

ChainPaths chainPathsBelow(const fs::path& exeDir)
{
    const fs::path root = exeDir.parent_path().parent_path();
    return ChainPaths{root / "firmware" / "app" / "gw-firmware", root / "host" / "station" / "gw-station",
                      root / "tests" / "specimen" / "specimen"};
}

Result<std::set<std::string>> listSpoolIds(const fs::path& spoolDir, std::size_t* tornTemp)
{
    std::set<std::string> ids;
    std::error_code ec;
    if (!fs::exists(spoolDir, ec))
        return ids;
    for (fs::directory_iterator it(spoolDir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.starts_with(".") && name.ends_with(".tmp")) {
            if (tornTemp != nullptr)
                ++*tornTemp;
            continue;
        }
        if (name.size() != kSpoolNameDigits + 5 || !name.ends_with(".insp") ||
            !std::all_of(name.begin(), name.begin() + kSpoolNameDigits,
                         [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::array<std::uint8_t, kSpoolHeaderBytes> head{};
        in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
        if (in.gcount() != static_cast<std::streamsize>(head.size()) ||
            std::memcmp(head.data(), "GWSP", 4) != 0)
            continue;
        std::uint32_t crc = 0;
        for (std::size_t i = 0; i < 4; ++i)
            crc |= static_cast<std::uint32_t>(head[kSpoolCrcOffset + i]) << (8 * i);
        if (crc != link::crc32(std::span<const std::uint8_t>(head.data(), kSpoolCrcOffset)))
            continue;
        static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                      '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
        std::string id;
        for (std::size_t i = 0; i < 16; ++i) {
            id += kHex[head[kSpoolIdOffset + i] >> 4];
            id += kHex[head[kSpoolIdOffset + i] & 0x0F];
        }
        ids.insert(std::move(id));
    }
    if (ec)
        return fail(Errc::Io, "cannot list " + spoolDir.string() + ": " + ec.message());
    return ids;
}

Result<ChainFaultReport> runChainFaults(const ChainFaultOptions& options)
{
    if (options.inspections < 1 || options.inspections > 1'000'000)
        return fail(Errc::InvalidArgument, "inspections must be 1..1000000");
    if (options.captures.empty() && (options.captureCount < 1 || options.captureCount > 64))
        return fail(Errc::InvalidArgument, "captureCount must be 1..64");
    if (options.faultEveryMin.count() < 1 || options.faultEveryMax < options.faultEveryMin)
        return fail(Errc::InvalidArgument, "fault pauses must satisfy 1 ms <= min <= max");
    if (!(options.proxyCutProbability >= 0.0 && options.proxyCutProbability <= 1.0))
        return fail(Errc::InvalidArgument, "proxyCutProbability must be in [0, 1]");
    if (options.workDir.empty())
        return fail(Errc::InvalidArgument, "a working folder is required");
    std::error_code ec;
    for (const auto& exe : {options.paths.firmware, options.paths.station})
        if (!fs::exists(exe, ec))
            return fail(Errc::InvalidArgument, exe.string() + " does not exist (build it first)");
    if (options.captures.empty() && !fs::exists(options.paths.specimen, ec))
        return fail(Errc::InvalidArgument,
                    options.paths.specimen.string() + " does not exist (build it first)");
    ChainFaultReport report;
    Run run(options, report);
    if (auto ok = run.run(); !ok)
        return std::unexpected(ok.error());
    return report;
}

std::string formatChainReport(const ChainFaultOptions& options, const ChainFaultReport& r)
{
    std::ostringstream out;
    out << "chain_faults: gw-firmware (emulator board) -> fault proxy -> TLS 1.3 -> gw-station (SQLite), "
           "seed "
        << options.seed << ", --viz-model " << (options.vizModel.empty() ? "default" : options.vizModel)
        << "\n";
    out << "created " << r.created << " (of which " << r.spoolOnly
        << " found only in the spool after a kill), stored " << r.stored << ", lost " << r.lost
        << ", duplicated " << r.duplicated << ", unexpected " << r.unexpected << "\n";
    out << "faults: " << r.firmwareKills << " firmware SIGKILL, " << r.stationKills << " station SIGKILL, "
        << r.stationTerms << " station SIGTERM, " << r.linkCuts
        << " link cuts at random moments; the proxy cut " << r.proxyCuts
        << " TLS connections in all (those and its own random mid-stream cuts)\n";
    out << "placements interrupted by a firmware kill before spooling (re-placed, not inspections): "
        << r.interrupted << "; torn spool temp files: " << r.tornTempFiles << "; redeliveries answered "
        << "'duplicate': " << r.duplicateAcks << "; runs: " << r.firmwareRuns << " firmware, "
        << r.stationRuns << " station\n";
    out << "wall time " << r.wallSeconds << " s";
    if (r.medianPlacedToAckMs)
        out << "; placed -> ACK median " << *r.medianPlacedToAckMs << " ms over " << r.latencySamples
            << " inspections ACKed by the run that placed them (faults included)";
    out << "\n";
    for (const auto& id : r.lostIds)
        out << "lost: " << id << "\n";
    for (const auto& id : r.duplicatedIds)
        out << "duplicated: " << id << "\n";
    if (!r.problem.empty())
        out << "PROBLEM: " << r.problem << "\n";
    return out.str();
}

} // namespace gw::e2e
