// SPDX-License-Identifier: Apache-2.0
// HTTP(S) server (cpp-httplib): embedded page assets, JSON REST API, sessions, CSRF, roles, audit.
#include <charconv>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <gw/host/web_server.h>

#include "assets.h"

namespace gw::host {
namespace {

using nlohmann::json;

constexpr const char* kCookieName = "gw_session";
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::int64_t systemNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void sendJson(httplib::Response& res, int status, const json& body)
{
    res.status = status;
    res.set_header("Cache-Control", "no-store");
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void sendError(httplib::Response& res, int status, std::string_view code, std::string_view message)
{
    sendJson(res, status, json{{"error", code}, {"message", message}});
}

int statusFor(const Error& e)
{
    switch (e.code()) {
    case Errc::InvalidArgument:
    case Errc::InvalidInput:
        return 400;
    case Errc::Io:
    case Errc::Timeout:
        return 503;
    default:
        return 500;
    }
}

std::optional<std::string> cookieValue(const httplib::Request& req, std::string_view name)
{
    const std::string header = req.get_header_value("Cookie");
    std::string_view rest = header;
    while (!rest.empty()) {
        const auto semi = rest.find(';');
        std::string_view part = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == name)
            return std::string(part.substr(eq + 1));
    }
    return std::nullopt;
}

bool isHexId(std::string_view s)
{
    if (s.size() != 32)
        return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

/// "YYYY-MM-DD" (UTC midnight) or a plain integer of milliseconds.
std::optional<std::int64_t> parseTime(std::string_view s)
{
    if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
        int y = 0;
        unsigned m = 0;
        unsigned d = 0;
        if (std::from_chars(s.data(), s.data() + 4, y).ec != std::errc() ||
            std::from_chars(s.data() + 5, s.data() + 7, m).ec != std::errc() ||
            std::from_chars(s.data() + 8, s.data() + 10, d).ec != std::errc())
            return std::nullopt;
        const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                              std::chrono::day(d)};
        if (!ymd.ok())
            return std::nullopt;
        const std::chrono::sys_days days(ymd);
        return std::chrono::duration_cast<std::chrono::milliseconds>(days.time_since_epoch()).count();
    }
    std::int64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

std::optional<std::int64_t> parseInt(std::string_view s)
{
    std::int64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

json summaryJson(const InspectionSummary& s)
{
    return json{{"seq", s.seq},
                {"id", s.id},
                {"scanner", s.deviceId},
                {"capture_time_ms", s.captureTimeMs},
                {"received_ms", s.receivedMs},
                {"verdict", s.verdict},
                {"reason", {{"en", s.firstReasonEn}, {"nl", s.firstReasonNl}}},
                {"document_code", s.documentCode},
                {"issuing_state", s.issuingState},
                {"document_number", s.documentNumber},
                {"surname", s.surname},
                {"given_names", s.givenNames},
                {"decision", s.lastDecision},
                {"purged", s.purged}};
}

json parsedOr(const std::string& text, json fallback)
{
    try {
        return json::parse(text);
    } catch (const json::exception&) {
        return fallback;
    }
}

json detailJson(const InspectionDetail& d)
{
    json j = summaryJson(d.summary);
    j["mrz"] = json{{"format", d.mrz.format},
                    {"document_code", d.mrz.documentCode},
                    {"issuing_state", d.mrz.issuingState},
                    {"document_number", d.mrz.documentNumber},
                    {"nationality", d.mrz.nationality},
                    {"surname", d.mrz.surname},
                    {"given_names", d.mrz.givenNames},
                    {"birth_date", d.mrz.birthDate},
                    {"expiry_date", d.mrz.expiryDate},
                    {"sex", d.mrz.sex}};
    json report = parsedOr(d.reportJson, json::object());
    j["report"] = report;
    j["geometry"] = report.is_object() && report.contains("geometry") ? report["geometry"] : json(nullptr);
    j["reasons"] = report.is_object() && report.contains("reasons") ? report["reasons"] : json::array();
    json checks = json::array();
    for (const auto& c : d.checks) {
        checks.push_back(json{{"id", c.checkId},
                              {"tr03135_id", c.tr03135Id},
                              {"result", c.result},
                              {"margin", c.margin},
                              {"reason", {{"en", c.reasonEn}, {"nl", c.reasonNl}}},
                              {"regions", parsedOr(c.regionsJson, json::array())}});
    }
    j["checks"] = std::move(checks);
    j["images"] = d.imageLights;
    json decisions = json::array();
    for (const auto& dec : d.decisions) {
        decisions.push_back(json{{"id", dec.id},
                                 {"decision", dec.decision},
                                 {"note", dec.note},
                                 {"user", dec.userName},
                                 {"time_ms", dec.timeMs}});
    }
    j["decisions"] = std::move(decisions);
    return j;
}

json countRows(const std::vector<CountRow>& rows, const char* keyName)
{
    json out = json::array();
    for (const auto& r : rows)
        out.push_back(json{{keyName, r.key}, {"inspections", r.inspections}, {"red", r.red}});
    return out;
}

json auditJson(const AuditEntry& e)
{
    return json{
        {"seq", e.seq},         {"time_ms", e.timeMs}, {"actor", e.actor},        {"action", e.action},
        {"subject", e.subject}, {"detail", e.detail},  {"prev_hash", e.prevHash}, {"hash", e.hash}};
}

} // namespace

struct WebServer::Impl {
    Store& store;
    WebOptions options;
    SessionManager sessions;
    std::unique_ptr<httplib::Server> server;
    std::thread thread;
    std::uint16_t port = 0;
    bool https = false;
    bool running = false;

    /// Failed logins per user name: kMaxLoginFailures within kLoginWindowMs locks the name for
    /// kLoginLockMs, so an online guesser gets a handful of tries per quarter hour, not thousands.
    struct LoginFailures {
        int count = 0;
        std::int64_t firstMs = 0;
        std::int64_t lockedUntilMs = 0;
    };
    static constexpr int kMaxLoginFailures = 5;
    static constexpr std::int64_t kLoginWindowMs = 5 * 60 * 1000;
    static constexpr std::int64_t kLoginLockMs = 15 * 60 * 1000;
    static constexpr std::size_t kMaxTrackedNames = 10000;
    std::mutex loginMutex;
    std::map<std::string, LoginFailures, std::less<>> loginFailures;

    bool loginLocked(const std::string& name)
    {
        std::lock_guard lock(loginMutex);
        const auto it = loginFailures.find(name);
        return it != loginFailures.end() && it->second.lockedUntilMs > now();
    }

    void loginFailed(const std::string& name)
    {
        std::lock_guard lock(loginMutex);
        if (loginFailures.size() >= kMaxTrackedNames)
            loginFailures.clear(); // bounded memory; a flood of invented names only resets the counters
        auto& f = loginFailures[name];
        const std::int64_t t = now();
        if (t - f.firstMs > kLoginWindowMs) {
            f.count = 0;
            f.firstMs = t;
        }
        if (++f.count >= kMaxLoginFailures)
            f.lockedUntilMs = t + kLoginLockMs;
    }

    void loginSucceeded(const std::string& name)
    {
        std::lock_guard lock(loginMutex);
        loginFailures.erase(name);
    }

    Impl(Store& s, const WebOptions& o) : store(s), options(o), sessions(o.sessionTtlMs) {}

    std::int64_t now() const { return options.clockMs ? options.clockMs() : systemNowMs(); }

    void audit(const std::string& actor, std::string_view action, std::string_view subject,
               std::string_view detail)
    {
        // A failed audit write raises the store alarm (shown on the page); the request itself goes on,
        // because refusing an officer the verdict would be worse than a gap the alarm makes visible.
        (void)store.appendAudit(actor, action, subject, detail, now());
    }

    void setSessionCookie(httplib::Response& res, const Session& s) const
    {
        std::string cookie = std::string(kCookieName) + "=" + s.token + "; Path=/; HttpOnly; SameSite=Strict";
        if (https)
            cookie += "; Secure";
        res.set_header("Set-Cookie", cookie);
    }

    /// The request's live session, or nullopt.
    std::optional<Session> session(const httplib::Request& req)
    {
        const auto token = cookieValue(req, kCookieName);
        if (!token)
            return std::nullopt;
        return sessions.find(*token, now());
    }

    /// The logged-in session holding @p permission; answers 401/403 itself and returns nullopt otherwise.
    std::optional<Session> require(const httplib::Request& req, httplib::Response& res, Permission permission)
    {
        auto s = session(req);
        if (!s || s->user.empty() || !s->role) {
            sendError(res, 401, "not_logged_in", "log in first");
            return std::nullopt;
        }
        if (!allowed(*s->role, permission)) {
            sendError(res, 403, "forbidden",
                      "the role '" + std::string(roleName(*s->role)) + "' may not do this");
            return std::nullopt;
        }
        return s;
    }

    /// CSRF: the X-CSRF-Token header must equal the session's token, and a browser's Origin (when sent)
    /// must be this server.
    bool csrfOk(const httplib::Request& req, httplib::Response& res, const Session& s)
    {
        const std::string origin = req.get_header_value("Origin");
        if (!origin.empty()) {
            const std::string host = req.get_header_value("Host");
            const auto scheme = origin.find("://");
            if (scheme == std::string::npos || origin.substr(scheme + 3) != host) {
                sendError(res, 403, "csrf", "cross-origin request refused");
                return false;
            }
        }
        if (!tokensEqual(req.get_header_value("X-CSRF-Token"), s.csrfToken)) {
            sendError(res, 403, "csrf", "missing or wrong CSRF token");
            return false;
        }
        return true;
    }

    std::optional<json> jsonBody(const httplib::Request& req, httplib::Response& res)
    {
        try {
            json body = json::parse(req.body);
            if (!body.is_object()) {
                sendError(res, 400, "bad_request", "the body must be a JSON object");
                return std::nullopt;
            }
            return body;
        } catch (const json::exception&) {
            sendError(res, 400, "bad_request", "the body is not valid JSON");
            return std::nullopt;
        }
    }

    void routes();
};

void WebServer::Impl::routes()
{
    auto& svr = *server;

    svr.set_default_headers(
        {{"X-Content-Type-Options", "nosniff"},
         {"X-Frame-Options", "DENY"},
         {"Referrer-Policy", "no-referrer"},
         {"Content-Security-Policy",
          "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
          "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"}});
    svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
            if (ep)
                std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        sendError(res, 500, "internal", what);
    });

    for (const auto& asset : web::assets()) {
        const std::string path(asset.path);
        auto handler = [asset](const httplib::Request&, httplib::Response& res) {
            res.set_header("Cache-Control", "no-cache");
            res.set_content(reinterpret_cast<const char*>(asset.bytes.data()), asset.bytes.size(),
                            std::string(asset.mime).c_str());
        };
        svr.Get(path, handler);
        if (path == "/index.html")
            svr.Get("/", handler);
    }

    svr.Get("/api/session", [this](const httplib::Request& req, httplib::Response& res) {
        auto s = session(req);
        if (!s) {
            auto created = sessions.create(now());
            if (!created)
                return sendError(res, 500, "internal", created.error().message());
            s = *created;
            setSessionCookie(res, *s);
        }
        json body{{"csrf", s->csrfToken}, {"logged_in", !s->user.empty()}};
        if (!s->user.empty()) {
            body["user"] = s->user;
            body["role"] = roleName(s->role.value_or(Role::Officer));
        }
        sendJson(res, 200, body);
    });

    svr.Post("/api/login", [this](const httplib::Request& req, httplib::Response& res) {
        auto s = session(req);
        if (!s)
            return sendError(res, 403, "csrf", "no session: GET /api/session first");
        if (!csrfOk(req, res, *s))
            return;
        auto body = jsonBody(req, res);
        if (!body)
            return;
        const std::string name = body->value("user", "");
        const std::string password = body->value("password", "");
        if (name.size() > 64)
            return sendError(res, 401, "bad_credentials", "wrong user name or password");
        if (loginLocked(name)) {
            audit(name, "login.locked", "", req.remote_addr);
            return sendError(res, 429, "locked",
                             "too many failed logins: wait 15 minutes or ask a supervisor");
        }
        auto user = store.user(name);
        if (!user)
            return sendError(res, statusFor(user.error()), "store", user.error().message());
        bool ok = false;
        if (*user && !(*user)->disabled) {
            auto verified = verifyPassword(password, (*user)->passwordHash);
            ok = verified && *verified;
        } else {
            // Same work for an unknown user, so the response time does not reveal which names exist.
            static const std::string kDummy = hashPassword("not-a-real-password").value_or("");
            (void)verifyPassword(password, kDummy);
        }
        if (!ok) {
            loginFailed(name);
            audit(name.empty() ? std::string("-") : name, "login.failed", "", req.remote_addr);
            return sendError(res, 401, "bad_credentials", "wrong user name or password");
        }
        loginSucceeded(name);
        auto fresh = sessions.login(s->token, (*user)->name, (*user)->role, now());
        if (!fresh)
            return sendError(res, 500, "internal", fresh.error().message());
        setSessionCookie(res, *fresh);
        audit(fresh->user, "login", "", req.remote_addr);
        sendJson(res, 200,
                 json{{"user", fresh->user}, {"role", roleName((*user)->role)}, {"csrf", fresh->csrfToken}});
    });

    svr.Post("/api/logout", [this](const httplib::Request& req, httplib::Response& res) {
        auto s = session(req);
        if (!s)
            return sendJson(res, 200, json{{"logged_out", true}});
        if (!csrfOk(req, res, *s))
            return;
        if (!s->user.empty())
            audit(s->user, "logout", "", "");
        sessions.remove(s->token);
        res.set_header("Set-Cookie",
                       std::string(kCookieName) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        sendJson(res, 200, json{{"logged_out", true}});
    });

    svr.Get("/api/health", [this](const httplib::Request& req, httplib::Response& res) {
        if (!require(req, res, Permission::ReadInspections))
            return;
        const StoreHealth h = store.health();
        sendJson(res, 200, json{{"store", {{"ok", h.ok}, {"alarm", h.alarm}, {"since_ms", h.sinceMs}}}});
    });

    svr.Get("/api/inspections", [this](const httplib::Request& req, httplib::Response& res) {
        auto s = require(req, res, Permission::ReadInspections);
        if (!s)
            return;
        SearchQuery q;
        auto param = [&](const char* name) -> std::optional<std::string> {
            if (!req.has_param(name))
                return std::nullopt;
            std::string v = req.get_param_value(name);
            if (v.empty())
                return std::nullopt;
            return v;
        };
        if (auto v = param("from")) {
            q.fromMs = parseTime(*v);
            if (!q.fromMs)
                return sendError(res, 400, "bad_request", "from must be YYYY-MM-DD or milliseconds");
        }
        if (auto v = param("to")) {
            q.toMs = parseTime(*v);
            if (!q.toMs)
                return sendError(res, 400, "bad_request", "to must be YYYY-MM-DD or milliseconds");
            if (v->size() == 10)
                *q.toMs += kDayMs; // a day given as "to" is included
        }
        if (auto v = param("verdict")) {
            if (*v != "GREEN" && *v != "AMBER" && *v != "RED")
                return sendError(res, 400, "bad_request", "verdict must be GREEN, AMBER or RED");
            q.verdict = *v;
        }
        if (auto v = param("document_number")) {
            if (v->size() > 64)
                return sendError(res, 400, "bad_request", "document_number too long");
            q.documentNumber = *v;
        }
        if (auto v = param("issuing_state")) {
            if (v->size() > 3)
                return sendError(res, 400, "bad_request", "issuing_state has at most 3 letters");
            q.issuingState = *v;
        }
        if (auto v = param("after_seq")) {
            q.afterSeq = parseInt(*v);
            if (!q.afterSeq)
                return sendError(res, 400, "bad_request", "after_seq must be an integer");
            q.countTotal = false;
        }
        if (auto v = param("limit")) {
            const auto l = parseInt(*v);
            if (!l || *l < 1 || *l > 1000)
                return sendError(res, 400, "bad_request", "limit must be in 1..1000");
            q.limit = static_cast<int>(*l);
        }
        if (auto v = param("offset")) {
            const auto o = parseInt(*v);
            if (!o || *o < 0 || *o > 100000000)
                return sendError(res, 400, "bad_request", "offset must be >= 0");
            q.offset = static_cast<int>(*o);
        }
        auto result = store.search(q);
        if (!result)
            return sendError(res, statusFor(result.error()), "store", result.error().message());
        if (q.documentNumber || q.issuingState || q.verdict || q.fromMs || q.toMs) {
            json filters{{"document_number", q.documentNumber.value_or("")},
                         {"issuing_state", q.issuingState.value_or("")},
                         {"verdict", q.verdict.value_or("")}};
            audit(s->user, "search", "", filters.dump());
        }
        json items = json::array();
        for (const auto& item : result->items)
            items.push_back(summaryJson(item));
        const StoreHealth h = store.health();
        sendJson(res, 200,
                 json{{"items", std::move(items)},
                      {"total", result->total},
                      {"max_seq", result->maxSeq},
                      {"store", {{"ok", h.ok}, {"alarm", h.alarm}}}});
    });

    svr.Get(R"(/api/inspections/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
        auto s = require(req, res, Permission::ReadInspections);
        if (!s)
            return;
        const std::string id = req.matches[1];
        if (!isHexId(id))
            return sendError(res, 400, "bad_request", "an inspection id is 32 lower-case hex digits");
        auto detail = store.inspection(id);
        if (!detail)
            return sendError(res, statusFor(detail.error()), "store", detail.error().message());
        if (!*detail)
            return sendError(res, 404, "not_found", "no inspection " + id);
        audit(s->user, "inspection.view", id, "");
        sendJson(res, 200, detailJson(**detail));
    });

    svr.Get(R"(/api/inspections/([^/]+)/images/([^/]+))",
            [this](const httplib::Request& req, httplib::Response& res) {
                if (!require(req, res, Permission::ReadInspections))
                    return;
                const std::string id = req.matches[1];
                const std::string light = req.matches[2];
                if (!isHexId(id))
                    return sendError(res, 400, "bad_request", "an inspection id is 32 lower-case hex digits");
                if (light != "white" && light != "ir" && light != "uv")
                    return sendError(res, 400, "bad_request", "light must be white, ir or uv");
                auto image = store.image(id, light);
                if (!image)
                    return sendError(res, statusFor(image.error()), "store", image.error().message());
                if (!*image)
                    return sendError(res, 404, "not_found", "no " + light + " image for " + id);
                res.set_header("Cache-Control", "private, max-age=3600");
                res.set_content(reinterpret_cast<const char*>((*image)->bytes.data()), (*image)->bytes.size(),
                                (*image)->encoding == "jpeg" ? "image/jpeg" : "image/png");
            });

    svr.Post(
        R"(/api/inspections/([^/]+)/decisions)", [this](const httplib::Request& req, httplib::Response& res) {
            auto s = require(req, res, Permission::Decide);
            if (!s || !csrfOk(req, res, *s))
                return;
            const std::string id = req.matches[1];
            if (!isHexId(id))
                return sendError(res, 400, "bad_request", "an inspection id is 32 lower-case hex digits");
            auto body = jsonBody(req, res);
            if (!body)
                return;
            const auto kind = decisionFromName(body->value("decision", ""));
            if (!kind)
                return sendError(res, 400, "bad_request", "decision must be released, referred or seized");
            if (body->contains("note") && !(*body)["note"].is_string())
                return sendError(res, 400, "bad_request", "note must be a string");
            const std::string note = body->value("note", "");
            if (note.size() > 4000)
                return sendError(res, 400, "bad_request", "note is longer than 4000 bytes");
            auto exists = store.inspection(id);
            if (exists && !*exists)
                return sendError(res, 404, "not_found", "no inspection " + id);
            auto decision = store.addDecision(id, *kind, note, s->user, now());
            if (!decision)
                return sendError(res, statusFor(decision.error()), "store", decision.error().message());
            audit(s->user, "decision", id, std::string(decisionName(*kind)));
            sendJson(res, 201,
                     json{{"id", decision->id},
                          {"inspection", id},
                          {"decision", decision->decision},
                          {"note", decision->note},
                          {"user", decision->userName},
                          {"time_ms", decision->timeMs}});
        });

    svr.Get("/api/scanners", [this](const httplib::Request& req, httplib::Response& res) {
        if (!require(req, res, Permission::ReadScanners))
            return;
        auto scanners = store.scanners();
        if (!scanners)
            return sendError(res, statusFor(scanners.error()), "store", scanners.error().message());
        json out = json::array();
        for (const auto& sc : *scanners) {
            out.push_back(json{{"device_id", sc.deviceId},
                               {"firmware", sc.firmwareVersion},
                               {"board", sc.board},
                               {"transport", sc.transport},
                               {"address", sc.address},
                               {"first_seen_ms", sc.firstSeenMs},
                               {"last_seen_ms", sc.lastSeenMs},
                               {"connected", sc.connected},
                               {"health", parsedOr(sc.healthJson, json::object())}});
        }
        sendJson(res, 200, json{{"scanners", std::move(out)}});
    });

    svr.Get("/api/statistics", [this](const httplib::Request& req, httplib::Response& res) {
        if (!require(req, res, Permission::ReadStatistics))
            return;
        std::int64_t to = now() + kDayMs;
        std::int64_t from = to - 31 * kDayMs;
        if (req.has_param("from")) {
            const auto v = parseTime(req.get_param_value("from"));
            if (!v)
                return sendError(res, 400, "bad_request", "from must be YYYY-MM-DD or milliseconds");
            from = *v;
        }
        if (req.has_param("to")) {
            const std::string raw = req.get_param_value("to");
            const auto v = parseTime(raw);
            if (!v)
                return sendError(res, 400, "bad_request", "to must be YYYY-MM-DD or milliseconds");
            to = *v + (raw.size() == 10 ? kDayMs : 0);
        }
        if (to <= from)
            return sendError(res, 400, "bad_request", "to must be after from");
        auto stats = store.statistics(from, to);
        if (!stats)
            return sendError(res, statusFor(stats.error()), "store", stats.error().message());
        sendJson(res, 200,
                 json{{"from_ms", from},
                      {"to_ms", to},
                      {"inspections", stats->inspections},
                      {"red", stats->red},
                      {"amber", stats->amber},
                      {"green", stats->green},
                      {"per_day", countRows(stats->perDay, "day")},
                      {"per_issuing_state", countRows(stats->perIssuingState, "issuing_state")},
                      {"per_failed_check", countRows(stats->perFailedCheck, "check")}});
    });

    svr.Get("/api/audit", [this](const httplib::Request& req, httplib::Response& res) {
        auto s = require(req, res, Permission::ReadAudit);
        if (!s)
            return;
        std::int64_t after = 0;
        int limit = 200;
        if (req.has_param("after")) {
            const auto v = parseInt(req.get_param_value("after"));
            if (!v || *v < 0)
                return sendError(res, 400, "bad_request", "after must be an integer >= 0");
            after = *v;
        }
        if (req.has_param("limit")) {
            const auto v = parseInt(req.get_param_value("limit"));
            if (!v || *v < 1 || *v > 10000)
                return sendError(res, 400, "bad_request", "limit must be in 1..10000");
            limit = static_cast<int>(*v);
        }
        auto entries = store.auditEntries(after, limit);
        if (!entries)
            return sendError(res, statusFor(entries.error()), "store", entries.error().message());
        json out = json::array();
        for (const auto& e : *entries)
            out.push_back(auditJson(e));
        sendJson(res, 200, json{{"entries", std::move(out)}});
    });

    svr.Get("/api/audit/verify", [this](const httplib::Request& req, httplib::Response& res) {
        auto s = require(req, res, Permission::ReadAudit);
        if (!s)
            return;
        auto v = store.verifyAudit();
        if (!v)
            return sendError(res, statusFor(v.error()), "store", v.error().message());
        audit(s->user, "audit.verify", "", v->intact() ? "intact" : v->problem);
        sendJson(res, 200,
                 json{{"intact", v->intact()},
                      {"entries", v->entries},
                      {"first_bad_seq", v->firstBadSeq ? json(*v->firstBadSeq) : json(nullptr)},
                      {"problem", v->problem},
                      {"head_hash", v->headHash}});
    });

    svr.Get("/api/users", [this](const httplib::Request& req, httplib::Response& res) {
        if (!require(req, res, Permission::ManageUsers))
            return;
        auto users = store.users();
        if (!users)
            return sendError(res, statusFor(users.error()), "store", users.error().message());
        json out = json::array();
        for (const auto& u : *users) {
            out.push_back(json{{"name", u.name},
                               {"role", roleName(u.role)},
                               {"created_ms", u.createdMs},
                               {"disabled", u.disabled}});
        }
        sendJson(res, 200, json{{"users", std::move(out)}});
    });

    svr.Post("/api/users", [this](const httplib::Request& req, httplib::Response& res) {
        auto s = require(req, res, Permission::ManageUsers);
        if (!s || !csrfOk(req, res, *s))
            return;
        auto body = jsonBody(req, res);
        if (!body)
            return;
        const std::string name = body->value("name", "");
        const auto role = roleFromName(body->value("role", ""));
        const std::string password = body->value("password", "");
        if (!role)
            return sendError(res, 400, "bad_request", "role must be officer, supervisor or auditor");
        if (password.size() < kMinPasswordLength)
            return sendError(res, 400, "bad_request",
                             "the password needs at least " + std::to_string(kMinPasswordLength) +
                                 " characters");
        auto hash = hashPassword(password);
        if (!hash)
            return sendError(res, statusFor(hash.error()), "bad_request", hash.error().message());
        auto added = store.addUser(UserRecord{name, *role, *hash, now(), false});
        if (!added)
            return sendError(res, statusFor(added.error()), "bad_request", added.error().message());
        audit(s->user, "user.add", name, std::string(roleName(*role)));
        sendJson(res, 201, json{{"name", name}, {"role", roleName(*role)}});
    });

    svr.Get(R"(/api/.*)", [](const httplib::Request&, httplib::Response& res) {
        sendError(res, 404, "not_found", "no such API endpoint");
    });
}

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebServer::~WebServer()
{
    stop();
}

Result<std::unique_ptr<WebServer>> WebServer::create(Store& store, const WebOptions& options)
{
    if (options.threads < 1 || options.threads > 64)
        return fail(Errc::InvalidArgument, "web threads must be in 1..64");
    if (options.tlsCertFile.empty() != options.tlsKeyFile.empty())
        return fail(Errc::InvalidArgument, "HTTPS needs both a certificate and a key file");
    auto impl = std::make_unique<Impl>(store, options);
    try {
        if (!options.tlsCertFile.empty()) {
            auto ssl =
                std::make_unique<httplib::SSLServer>(options.tlsCertFile.c_str(), options.tlsKeyFile.c_str());
            if (!ssl->is_valid())
                return fail(Errc::InvalidArgument, "cannot load the HTTPS certificate " +
                                                       options.tlsCertFile.string() + " or key " +
                                                       options.tlsKeyFile.string());
            impl->server = std::move(ssl);
            impl->https = true;
        } else {
            impl->server = std::make_unique<httplib::Server>();
        }
        const int threads = options.threads;
        impl->server->new_task_queue = [threads] {
            return new httplib::ThreadPool(static_cast<std::size_t>(threads));
        };
        impl->server->set_payload_max_length(options.maxBodyBytes);
        impl->server->set_read_timeout(std::chrono::seconds(10));
        impl->server->set_write_timeout(std::chrono::seconds(10));
        impl->server->set_keep_alive_timeout(5);
        impl->routes();
        int port = 0;
        if (options.port == 0) {
            port = impl->server->bind_to_any_port(options.bindAddress);
        } else if (impl->server->bind_to_port(options.bindAddress, options.port)) {
            port = options.port;
        }
        if (port <= 0)
            return fail(Errc::Io,
                        "cannot listen on " + options.bindAddress + ":" + std::to_string(options.port));
        impl->port = static_cast<std::uint16_t>(port);
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("web server: ") + e.what());
    }
    return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

void WebServer::start()
{
    if (impl_->running)
        return;
    impl_->running = true;
    impl_->thread = std::thread([this] { impl_->server->listen_after_bind(); });
}

void WebServer::stop()
{
    if (!impl_ || !impl_->server)
        return;
    impl_->server->stop();
    if (impl_->thread.joinable())
        impl_->thread.join();
    impl_->running = false;
}

std::uint16_t WebServer::port() const noexcept
{
    return impl_->port;
}

bool WebServer::https() const noexcept
{
    return impl_->https;
}

std::string WebServer::url() const
{
    std::string host = impl_->options.bindAddress == "0.0.0.0" ? "127.0.0.1" : impl_->options.bindAddress;
    return std::string(impl_->https ? "https" : "http") + "://" + host + ":" + std::to_string(impl_->port) +
           "/";
}

} // namespace gw::host
