// SPDX-License-Identifier: Apache-2.0
// gw-station: the host station's command line (serve, user add, audit verify, export, purge).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <gw/host/auth.h>
#include <gw/host/receiver.h>
#include <gw/host/sqlite_store.h>
#include <gw/host/web_server.h>

namespace {

using namespace gw::host;
using gw::Result;
using nlohmann::json;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::atomic<bool> gStop{false};

extern "C" void onSignal(int)
{
    gStop.store(true);
}

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int failWith(const gw::Error& e)
{
    std::cerr << "gw-station: " << e.describe() << "\n";
    return 2;
}

std::optional<std::int64_t> parseDay(const std::string& s)
{
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3)
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
    if (!ymd.ok())
        return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::sys_days(ymd).time_since_epoch())
        .count();
}

std::string isoTime(std::int64_t ms)
{
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// RFC 4180 quoting; a leading = + - @ is defused so a spreadsheet never runs a cell as a formula.
std::string csvCell(std::string value)
{
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@'))
        value.insert(value.begin(), '\'');
    if (value.find_first_of(",\"\r\n") == std::string::npos)
        return value;
    std::string out = "\"";
    for (char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

struct Common {
    std::string db = "grenswacht.db";
};

Result<std::unique_ptr<SqliteStore>> openStore(const std::string& path, bool readOnly = false)
{
    SqliteOptions options;
    options.readOnly = readOnly;
    return SqliteStore::open(path, options);
}

int cmdServe(const Common& common, const WebOptions& web, const std::string& linkBind, int linkPort,
             const std::string& ca, const std::string& cert, const std::string& key, bool usb,
             int retentionDays, bool printVerdicts, const std::string& readyFile, const std::string& hostId)
{
    auto store = openStore(common.db);
    if (!store)
        return failWith(store.error());
    auto server = WebServer::create(**store, web);
    if (!server)
        return failWith(server.error());

    std::mutex printMutex;
    ReceiverOptions ro;
    ro.session.hello.deviceId = hostId;
    ro.session.hello.firmwareVersion = "0.1.0";
    ro.session.hello.board = "station";
    if (printVerdicts) {
        ro.onStored = [&printMutex](const InspectionRecord& r, gw::link::AckStatus status) {
            std::lock_guard lock(printMutex);
            std::cout << (status == gw::link::AckStatus::Stored ? "STORED    " : "DUPLICATE ") << r.verdict
                      << std::string(6 - std::min<std::size_t>(r.verdict.size(), 5), ' ') << r.id << "  "
                      << r.deviceId << "  "
                      << (r.mrz.documentNumber.empty() ? std::string("-") : r.mrz.documentNumber) << " "
                      << r.mrz.issuingState << "  " << (r.firstReasonEn.empty() ? "-" : r.firstReasonEn)
                      << std::endl;
        };
    }
    if (!cert.empty() || !key.empty() || !ca.empty()) {
        if (cert.empty() || key.empty() || ca.empty()) {
            std::cerr
                << "gw-station: the scanner link needs --link-ca, --link-cert and --link-key together\n";
            return 2;
        }
        gw::link::TlsServerOptions tls;
        tls.bindAddress = linkBind;
        tls.port = static_cast<std::uint16_t>(linkPort);
        tls.credentials = {ca, cert, key};
        ro.tls = tls;
    }
    if (usb)
        ro.usb = gw::link::usb::UsbHostOptions{};
    std::unique_ptr<Receiver> receiver;
    if (ro.tls || ro.usb) {
        auto r = Receiver::create(**store, ro);
        if (!r)
            return failWith(r.error());
        receiver = std::move(*r);
    } else {
        std::cerr << "gw-station: no scanner link configured (--link-cert/--link-key/--link-ca or --usb); "
                     "serving the page only\n";
    }

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    (*server)->start();
    if (receiver)
        receiver->start();
    (void)(*store)->appendAudit("system", "station.start", "", (*server)->url(), nowMs());

    json ready{{"url", (*server)->url()},
               {"http_port", (*server)->port()},
               {"link_port", receiver ? receiver->tlsPort() : 0},
               {"pid", static_cast<long>(getpid())}};
    std::cout << "gw-station: officer page " << (*server)->url() << "  scanner link "
              << (receiver && receiver->tlsPort()
                      ? "tls://" + linkBind + ":" + std::to_string(receiver->tlsPort())
                      : std::string("-"))
              << (usb ? " + usb" : "") << "  store " << common.db << std::endl;
    if (!readyFile.empty()) {
        // Written to a temporary name and renamed, so a reader never sees half a file.
        std::ofstream(readyFile + ".tmp") << ready.dump() << "\n";
        std::rename((readyFile + ".tmp").c_str(), readyFile.c_str());
    }

    std::int64_t nextPurgeMs = 0;
    while (!gStop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (retentionDays > 0 && nowMs() >= nextPurgeMs) {
            const std::int64_t cutoff = nowMs() - retentionDays * kDayMs;
            if (auto purged = (*store)->purgeBefore(cutoff); purged && purged->inspections > 0) {
                (void)(*store)->appendAudit(
                    "system", "purge", "",
                    std::to_string(purged->inspections) + " inspections before " + isoTime(cutoff), nowMs());
            }
            nextPurgeMs = nowMs() + 3600 * 1000;
        }
    }
    std::cout << "gw-station: stopping" << std::endl;
    if (receiver)
        receiver->stop();
    (*server)->stop();
    (void)(*store)->appendAudit("system", "station.stop", "", "", nowMs());
    return 0;
}

int cmdUserAdd(const Common& common, const std::string& name, const std::string& roleText,
               std::string password, bool passwordStdin)
{
    const auto role = roleFromName(roleText);
    if (!role) {
        std::cerr << "gw-station: role must be officer, supervisor or auditor\n";
        return 2;
    }
    if (passwordStdin || password.empty()) {
        if (!std::getline(std::cin, password)) {
            std::cerr << "gw-station: no password on standard input\n";
            return 2;
        }
        if (!password.empty() && password.back() == '\r')
            password.pop_back();
    }
    if (password.size() < kMinPasswordLength) {
        std::cerr << "gw-station: the password needs at least " << kMinPasswordLength << " characters\n";
        return 2;
    }
    auto store = openStore(common.db);
    if (!store)
        return failWith(store.error());
    auto hash = hashPassword(password);
    if (!hash)
        return failWith(hash.error());
    if (auto r = (*store)->addUser(UserRecord{name, *role, *hash, nowMs(), false}); !r)
        return failWith(r.error());
    (void)(*store)->appendAudit("cli", "user.add", name, std::string(roleName(*role)), nowMs());
    std::cout << "user " << name << " (" << roleName(*role) << ") added\n";
    return 0;
}

int cmdAuditVerify(const Common& common)
{
    auto store = openStore(common.db, true);
    if (!store)
        return failWith(store.error());
    auto v = (*store)->verifyAudit();
    if (!v)
        return failWith(v.error());
    if (v->intact()) {
        std::cout << "audit log intact: " << v->entries << " entries, head " << v->headHash << "\n";
        return 0;
    }
    std::cout << "AUDIT LOG BROKEN at entry " << *v->firstBadSeq << ": " << v->problem << "\n";
    return 1;
}

int cmdExport(const Common& common, const std::string& from, const std::string& to, const std::string& format,
              const std::string& out)
{
    const auto fromMs = parseDay(from);
    const auto toDay = parseDay(to);
    if (!fromMs || !toDay) {
        std::cerr << "gw-station: --from and --to must be dates YYYY-MM-DD\n";
        return 2;
    }
    if (format != "csv" && format != "jsonl") {
        std::cerr << "gw-station: --format must be csv or jsonl\n";
        return 2;
    }
    auto store = openStore(common.db);
    if (!store)
        return failWith(store.error());
    std::ofstream file;
    if (!out.empty() && out != "-") {
        file.open(out, std::ios::binary | std::ios::trunc);
        if (!file) {
            std::cerr << "gw-station: cannot write " << out << "\n";
            return 2;
        }
    }
    std::ostream& os = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
    if (format == "csv") {
        os << "id,scanner,capture_time,received_time,verdict,format,document_code,issuing_state,document_"
              "number,"
              "nationality,surname,given_names,birth_date,expiry_date,sex,decision,failed_checks,purged\r\n";
    }
    std::int64_t count = 0;
    auto r = (*store)->forEachInspection(*fromMs, *toDay + kDayMs, [&](const InspectionDetail& d) {
        std::string failed;
        for (const auto& c : d.checks) {
            if (c.result == "failed")
                failed += (failed.empty() ? "" : ";") + c.checkId;
        }
        if (format == "csv") {
            const auto& s = d.summary;
            const std::string cells[] = {s.id,
                                         s.deviceId,
                                         isoTime(s.captureTimeMs),
                                         isoTime(s.receivedMs),
                                         s.verdict,
                                         d.mrz.format,
                                         s.documentCode,
                                         s.issuingState,
                                         s.documentNumber,
                                         d.mrz.nationality,
                                         s.surname,
                                         s.givenNames,
                                         d.mrz.birthDate,
                                         d.mrz.expiryDate,
                                         d.mrz.sex,
                                         s.lastDecision,
                                         failed,
                                         s.purged ? "1" : "0"};
            bool first = true;
            for (const auto& cell : cells) {
                os << (first ? "" : ",") << csvCell(cell);
                first = false;
            }
            os << "\r\n";
        } else {
            json j{{"id", d.summary.id},
                   {"scanner", d.summary.deviceId},
                   {"capture_time_ms", d.summary.captureTimeMs},
                   {"received_ms", d.summary.receivedMs},
                   {"verdict", d.summary.verdict},
                   {"decision", d.summary.lastDecision},
                   {"failed_checks", failed},
                   {"purged", d.summary.purged}};
            try {
                j["report"] = json::parse(d.reportJson);
            } catch (const json::exception&) {
                j["report"] = nullptr;
            }
            os << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
        }
        ++count;
        return static_cast<bool>(os);
    });
    if (!r)
        return failWith(r.error());
    (void)(*store)->appendAudit(
        "cli", "export", "", format + " " + from + ".." + to + ": " + std::to_string(count) + " inspections",
        nowMs());
    std::cerr << "exported " << count << " inspections\n";
    return os ? 0 : 2;
}

int cmdPurge(const Common& common, int olderThanDays)
{
    if (olderThanDays < 1) {
        std::cerr << "gw-station: --older-than-days must be >= 1\n";
        return 2;
    }
    auto store = openStore(common.db);
    if (!store)
        return failWith(store.error());
    const std::int64_t cutoff = nowMs() - olderThanDays * kDayMs;
    auto r = (*store)->purgeBefore(cutoff);
    if (!r)
        return failWith(r.error());
    (void)(*store)->appendAudit("cli", "purge", "",
                                std::to_string(r->inspections) + " inspections before " + isoTime(cutoff),
                                nowMs());
    std::cout << "purged personal data of " << r->inspections << " inspections (" << r->images
              << " images) captured before " << isoTime(cutoff) << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        CLI::App app{"gw-station: the Grenswacht host station (receiver, store, officer page, REST API)"};
        app.require_subcommand(1);
        Common common;
        auto addDb = [&](CLI::App* sub) {
            sub->add_option("--db", common.db, "SQLite store file")->capture_default_str();
        };

        auto* serve = app.add_subcommand("serve", "receive inspections and serve the officer page");
        addDb(serve);
        WebOptions web;
        std::string httpsCert, httpsKey, linkBind = "127.0.0.1", ca, cert, key, readyFile, hostId = "gw-host";
        int httpPort = 8080;
        int linkPort = 4443;
        int retentionDays = 0;
        bool usb = false;
        bool printVerdicts = false;
        serve->add_option("--http-bind", web.bindAddress, "address of the officer page")
            ->capture_default_str();
        serve->add_option("--http-port", httpPort, "port of the officer page (0: any)")
            ->capture_default_str()
            ->check(CLI::Range(0, 65535));
        serve->add_option("--https-cert", httpsCert, "PEM certificate: serve the page over HTTPS");
        serve->add_option("--https-key", httpsKey, "PEM private key of --https-cert");
        serve->add_option("--link-bind", linkBind, "address the scanners connect to")->capture_default_str();
        serve->add_option("--link-port", linkPort, "TLS port for scanners (0: any)")
            ->capture_default_str()
            ->check(CLI::Range(0, 65535));
        serve->add_option("--link-ca", ca, "CA that issued the scanners' certificates (PEM)");
        serve->add_option("--link-cert", cert, "the station's TLS certificate (PEM)");
        serve->add_option("--link-key", key, "the station's TLS private key (PEM)");
        serve->add_flag("--usb", usb, "also accept scanners attached over USB (libusb)");
        serve
            ->add_option("--retention-days", retentionDays,
                         "erase personal data and images older than this many days (0: keep)")
            ->check(CLI::Range(0, 36500));
        serve->add_flag("--print-verdicts", printVerdicts, "print each inspection as it is stored");
        serve->add_option("--ready-file", readyFile, "write {url, http_port, link_port} here once serving");
        serve->add_option("--host-id", hostId, "the station's device id in HELLO")->capture_default_str();

        auto* user = app.add_subcommand("user", "manage users");
        user->require_subcommand(1);
        auto* userAdd = user->add_subcommand("add", "add a user (password from standard input)");
        addDb(userAdd);
        std::string userName, role, password;
        bool passwordStdin = false;
        userAdd->add_option("--name", userName, "user name")->required();
        userAdd->add_option("--role", role, "officer, supervisor or auditor")->required();
        userAdd->add_flag("--password-stdin", passwordStdin,
                          "read the password from standard input (default)");
        userAdd->add_option("--password", password,
                            "the password (visible in the process list: for demos only)");

        auto* audit = app.add_subcommand("audit", "the audit log");
        audit->require_subcommand(1);
        auto* auditVerify =
            audit->add_subcommand("verify", "verify the audit log's hash chain (exit 1 if broken)");
        addDb(auditVerify);

        auto* exportCmd = app.add_subcommand("export", "export the inspections of a period");
        addDb(exportCmd);
        std::string from, to, format = "csv", out;
        exportCmd->add_option("--from", from, "first day, YYYY-MM-DD (UTC)")->required();
        exportCmd->add_option("--to", to, "last day, YYYY-MM-DD (UTC), included")->required();
        exportCmd->add_option("--format", format, "csv or jsonl")->capture_default_str();
        exportCmd->add_option("--out", out, "output file (default: standard output)");

        auto* purge =
            app.add_subcommand("purge", "erase personal data and images older than a retention period");
        addDb(purge);
        int olderThanDays = 0;
        purge->add_option("--older-than-days", olderThanDays, "retention in days")->required();

        CLI11_PARSE(app, argc, argv);

        if (serve->parsed()) {
            web.port = static_cast<std::uint16_t>(httpPort);
            web.tlsCertFile = httpsCert;
            web.tlsKeyFile = httpsKey;
            return cmdServe(common, web, linkBind, linkPort, ca, cert, key, usb, retentionDays, printVerdicts,
                            readyFile, hostId);
        }
        if (userAdd->parsed())
            return cmdUserAdd(common, userName, role, password, passwordStdin);
        if (auditVerify->parsed())
            return cmdAuditVerify(common);
        if (exportCmd->parsed())
            return cmdExport(common, from, to, format, out);
        if (purge->parsed())
            return cmdPurge(common, olderThanDays);
    } catch (const std::exception& e) {
        std::cerr << "gw-station: " << e.what() << "\n";
        return 2;
    }
    return 2;
}
