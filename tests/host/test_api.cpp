// SPDX-License-Identifier: Apache-2.0
// The REST API over loopback HTTP on a real SQLite file: every endpoint, 401/403, CSRF, cookies, bad input.
#include <catch2/catch.hpp>

#include <gw/host/report.h>
#include <gw/host/sqlite_store.h>
#include <gw/host/web_server.h>
#include <gw/link/testing.h>

#include "api_client.h"
#include "host_test_util.h"

using namespace gw::host;
using gw::host::testing::ApiClient;
using gw::host::testing::hexId;
using gw::host::testing::makeReport;
using gw::host::testing::ReportSpec;
using gw::host::testing::TempDir;

namespace {

constexpr std::int64_t kT0 = 1'790'000'000'000;
constexpr KdfParams kFast{12, 8, 1};

struct Station {
    TempDir dir;
    std::unique_ptr<SqliteStore> store;
    std::unique_ptr<WebServer> web;

    Station()
    {
        auto s = SqliteStore::open(dir / "station.db");
        REQUIRE(s);
        store = std::move(*s);
        for (auto [name, role] : {std::pair{"anna", Role::Officer}, std::pair{"sam", Role::Supervisor},
                                  std::pair{"aud", Role::Auditor}}) {
            auto h = hashPassword(std::string(name) + "-password", kFast);
            REQUIRE(h);
            REQUIRE(store->addUser(UserRecord{name, role, *h, kT0, false}));
        }
        ReportSpec red;
        red.verdict = "RED";
        red.issuingState = "NLD";
        red.documentNumber = "SPECI2014";
        red.failedCheck = "uv.substrate_dull";
        auto r1 = inspectionFromReport(hexId(1), "GW-EMU-0001", kT0, kT0, makeReport(red));
        REQUIRE(r1);
        r1->images.push_back(ImageRecord{"uv", "png", gw::host::testing::tinyPng()});
        REQUIRE(store->insertInspection(*r1));
        auto r2 = inspectionFromReport(hexId(2), "GW-EMU-0002", kT0 + 1000, kT0 + 1000, makeReport({}));
        REQUIRE(r2);
        REQUIRE(store->insertInspection(*r2));
        WebOptions o;
        o.port = 0;
        o.clockMs = [] {
            return kT0 + 5000;
        };
        auto w = WebServer::create(*store, o);
        REQUIRE(w);
        web = std::move(*w);
        web->start();
    }
    ~Station() { web->stop(); }
};

} // namespace

TEST_CASE("the page and its assets are served without login, from the binary", "[api]")
{
    Station st;
    ApiClient c(st.web->port());
    auto page = c.get("/");
    CHECK(page.status == 200);
    CHECK_THAT(page.contentType, Catch::StartsWith("text/html"));
    CHECK_THAT(page.body, Catch::Contains("/app.js"));
    CHECK_THAT(page.body, !Catch::Contains("http://") && !Catch::Contains("https://")); // no CDN
    auto js = c.get("/app.js");
    CHECK(js.status == 200);
    CHECK_THAT(js.contentType, Catch::StartsWith("text/javascript"));
    CHECK(c.get("/app.css").status == 200);
}

TEST_CASE("the session cookie is HttpOnly and SameSite; login rotates it", "[api][auth]")
{
    Station st;
    ApiClient c(st.web->port());
    auto s = c.get("/api/session");
    REQUIRE(s.status == 200);
    CHECK_THAT(s.setCookie, Catch::Contains("HttpOnly"));
    CHECK_THAT(s.setCookie, Catch::Contains("SameSite=Strict"));
    CHECK_THAT(s.setCookie, !Catch::Contains("Secure")); // plain HTTP here
    CHECK_FALSE(s.json()["logged_in"].get<bool>());
    const std::string before = c.cookie();
    auto login = c.login("anna", "anna-password");
    REQUIRE(login.status == 200);
    CHECK(login.json()["role"] == "officer");
    CHECK_THAT(login.setCookie, Catch::Contains("HttpOnly"));
    CHECK(c.cookie() != before);
}

TEST_CASE("wrong passwords and unknown users get 401 and are audited", "[api][auth]")
{
    Station st;
    ApiClient c(st.web->port());
    CHECK(c.login("anna", "wrong-password").status == 401);
    CHECK(c.login("nobody", "whatever-it-is").status == 401);
    CHECK(c.get("/api/inspections").status == 401);
    auto audit = st.store->auditEntries(0, 100);
    REQUIRE(audit);
    REQUIRE(audit->size() == 2);
    CHECK((*audit)[0].action == "login.failed");
}

TEST_CASE("every API endpoint needs a login", "[api][auth]")
{
    Station st;
    ApiClient c(st.web->port());
    for (const char* path :
         {"/api/inspections", "/api/inspections/00000000000000000000000000000001", "/api/scanners",
          "/api/statistics", "/api/audit", "/api/audit/verify", "/api/users", "/api/health"}) {
        INFO(path);
        CHECK(c.get(path).status == 401);
    }
    c.get("/api/session");
    c.csrf() = c.get("/api/session").json()["csrf"];
    CHECK(c.post("/api/inspections/" + hexId(1) + "/decisions", {{"decision", "released"}}).status == 401);
}

TEST_CASE("roles: 403 where the role lacks the permission", "[api][auth]")
{
    Station st;
    ApiClient officer(st.web->port());
    REQUIRE(officer.login("anna", "anna-password").status == 200);
    CHECK(officer.get("/api/audit").status == 403);
    CHECK(officer.get("/api/users").status == 403);
    CHECK(officer.post("/api/users", {{"name", "x"}, {"role", "officer"}, {"password", "long-enough-1"}})
              .status == 403);

    ApiClient auditor(st.web->port());
    REQUIRE(auditor.login("aud", "aud-password").status == 200);
    CHECK(auditor.get("/api/audit").status == 200);
    CHECK(auditor.post("/api/inspections/" + hexId(1) + "/decisions", {{"decision", "released"}}).status ==
          403);

    ApiClient sup(st.web->port());
    REQUIRE(sup.login("sam", "sam-password").status == 200);
    auto added =
        sup.post("/api/users", {{"name", "bob"}, {"role", "officer"}, {"password", "bobs-password-1"}});
    CHECK(added.status == 201);
    CHECK(sup.post("/api/users", {{"name", "bob"}, {"role", "officer"}, {"password", "bobs-password-1"}})
              .status == 400);
    CHECK(sup.post("/api/users", {{"name", "eve"}, {"role", "officer"}, {"password", "short"}}).status ==
          400);
    CHECK(sup.post("/api/users", {{"name", "eve"}, {"role", "root"}, {"password", "long-enough-1"}}).status ==
          400);
    auto users = sup.get("/api/users");
    REQUIRE(users.status == 200);
    CHECK(users.json()["users"].size() == 4);
    CHECK(users.body.find("scrypt") == std::string::npos); // hashes never leave the store
}

TEST_CASE("CSRF: state-changing requests without the session's token are refused", "[api][csrf]")
{
    Station st;
    ApiClient c(st.web->port());
    // Login itself needs the anonymous session's token.
    c.get("/api/session");
    CHECK(c.post("/api/login", {{"user", "anna"}, {"password", "anna-password"}}, false).status == 403);
    REQUIRE(c.login("anna", "anna-password").status == 200);
    const std::string path = "/api/inspections/" + hexId(1) + "/decisions";
    CHECK(c.post(path, {{"decision", "released"}}, false).status == 403);
    const std::string good = c.csrf();
    c.csrf() = std::string(64, 'a');
    CHECK(c.post(path, {{"decision", "released"}}).status == 403);
    c.csrf() = good;
    // A cross-site page cannot post even with a leaked token: its Origin is not ours.
    CHECK(c.post(path, {{"decision", "released"}}, true, "https://evil.example").status == 403);
    auto detail = c.get("/api/inspections/" + hexId(1));
    CHECK(detail.json()["decisions"].empty());
    CHECK(c.post(path, {{"decision", "released"}}, true, "http://127.0.0.1:" + std::to_string(st.web->port()))
              .status == 201);
}

TEST_CASE("inspections: queue, detail, images, decisions, bad input", "[api]")
{
    Station st;
    ApiClient c(st.web->port());
    REQUIRE(c.login("anna", "anna-password").status == 200);

    auto list = c.get("/api/inspections?limit=10");
    REQUIRE(list.status == 200);
    auto lj = list.json();
    CHECK(lj["total"] == 2);
    CHECK(lj["items"][0]["id"] == hexId(2)); // newest first
    CHECK(lj["store"]["ok"] == true);
    const auto maxSeq = lj["max_seq"].get<std::int64_t>();
    auto none = c.get("/api/inspections?after_seq=" + std::to_string(maxSeq));
    CHECK(none.json()["items"].empty());

    auto red = c.get("/api/inspections?verdict=RED&issuing_state=NLD&document_number=SPECI2014");
    REQUIRE(red.status == 200);
    CHECK(red.json()["total"] == 1);
    CHECK(c.get("/api/inspections?from=2026-09-21&to=2026-09-21").json()["total"] == 2);
    CHECK(c.get("/api/inspections?from=2026-09-22").json()["total"] == 0);

    auto detail = c.get("/api/inspections/" + hexId(1));
    REQUIRE(detail.status == 200);
    auto d = detail.json();
    CHECK(d["verdict"] == "RED");
    CHECK(d["mrz"]["document_number"] == "SPECI2014");
    CHECK(d["geometry"]["width_mm"] == 125.0);
    CHECK(d["checks"][0]["result"] == "failed");
    CHECK(d["checks"][0]["regions"][0]["x_mm"] == 10.0);
    CHECK(d["images"] == nlohmann::json::array({"uv"}));
    CHECK(d["reasons"][0]["nl"] == "Het papier licht op onder UV-licht.");

    auto img = c.get("/api/inspections/" + hexId(1) + "/images/uv");
    CHECK(img.status == 200);
    CHECK(img.contentType == "image/png");
    CHECK(img.body.size() == gw::host::testing::tinyPng().size());
    CHECK(c.get("/api/inspections/" + hexId(1) + "/images/ir").status == 404);
    CHECK(c.get("/api/inspections/" + hexId(1) + "/images/xray").status == 400);

    auto dec = c.post("/api/inspections/" + hexId(1) + "/decisions",
                      {{"decision", "referred"}, {"note", "UV glow"}});
    REQUIRE(dec.status == 201);
    CHECK(dec.json()["user"] == "anna");
    auto after = c.get("/api/inspections/" + hexId(1)).json();
    CHECK(after["decision"] == "referred");
    CHECK(after["decisions"][0]["note"] == "UV glow");

    // Bad input: clear 4xx, never a crash.
    CHECK(c.get("/api/inspections/xyz").status == 400);
    CHECK(c.get("/api/inspections/" + hexId(99)).status == 404);
    CHECK(c.get("/api/inspections?limit=0").status == 400);
    CHECK(c.get("/api/inspections?limit=abc").status == 400);
    CHECK(c.get("/api/inspections?verdict=BLUE").status == 400);
    CHECK(c.get("/api/inspections?from=2026-13-45").status == 400);
    CHECK(c.get("/api/inspections?offset=-1").status == 400);
    CHECK(c.get("/api/nothing").status == 404);
    const std::string decPath = "/api/inspections/" + hexId(1) + "/decisions";
    CHECK(c.postRaw(decPath, "{not json").status == 400);
    CHECK(c.postRaw(decPath, "[]").status == 400);
    CHECK(c.post(decPath, {{"decision", "shot"}}).status == 400);
    CHECK(c.post(decPath, {{"decision", "released"}, {"note", 5}}).status == 400);
    CHECK(c.post(decPath, {{"decision", "released"}, {"note", std::string(5000, 'x')}}).status == 400);
    CHECK(c.post("/api/inspections/" + hexId(99) + "/decisions", {{"decision", "released"}}).status == 404);
    CHECK(c.postRaw(decPath, std::string(2u << 20, ' ')).status == 413);

    // Views and decisions are in the audit log.
    auto audit = st.store->auditEntries(0, 1000);
    REQUIRE(audit);
    bool viewed = false;
    bool decided = false;
    for (const auto& e : *audit) {
        viewed = viewed || (e.action == "inspection.view" && e.actor == "anna" && e.subject == hexId(1));
        decided = decided || (e.action == "decision" && e.detail == "referred");
    }
    CHECK(viewed);
    CHECK(decided);
}

TEST_CASE("scanners, statistics, audit, health, logout", "[api]")
{
    Station st;
    ApiClient c(st.web->port());
    REQUIRE(c.login("sam", "sam-password").status == 200);
    auto scanners = c.get("/api/scanners");
    REQUIRE(scanners.status == 200);
    CHECK(scanners.json()["scanners"].size() == 2);

    auto stats = c.get("/api/statistics?from=2026-09-01&to=2026-09-30");
    REQUIRE(stats.status == 200);
    auto s = stats.json();
    CHECK(s["inspections"] == 2);
    CHECK(s["red"] == 1);
    CHECK(s["per_issuing_state"][0]["issuing_state"] == "NLD");
    CHECK(s["per_failed_check"][0]["check"] == "uv.substrate_dull");
    CHECK(c.get("/api/statistics?from=2026-09-30&to=2026-09-01").status == 400);
    CHECK(c.get("/api/statistics?from=yesterday").status == 400);

    auto health = c.get("/api/health");
    REQUIRE(health.status == 200);
    CHECK(health.json()["store"]["ok"] == true);

    auto audit = c.get("/api/audit?limit=5");
    REQUIRE(audit.status == 200);
    CHECK(audit.json()["entries"][0]["seq"] == 1);
    CHECK(c.get("/api/audit?limit=0").status == 400);
    auto verify = c.get("/api/audit/verify");
    REQUIRE(verify.status == 200);
    CHECK(verify.json()["intact"] == true);

    CHECK(c.post("/api/logout", nlohmann::json::object()).status == 200);
    CHECK(c.get("/api/scanners").status == 401);
}

TEST_CASE("over HTTPS the page is served with TLS and the cookie is Secure", "[api][https]")
{
    TempDir dir;
    auto pki = gw::link::testing::makeTestPki(dir / "pki", {});
    REQUIRE(pki);
    auto store = SqliteStore::open(dir / "s.db");
    REQUIRE(store);
    WebOptions o;
    o.port = 0;
    o.tlsCertFile = pki->host.certFile;
    o.tlsKeyFile = pki->host.keyFile;
    auto web = WebServer::create(**store, o);
    REQUIRE(web);
    CHECK((*web)->https());
    CHECK_THAT((*web)->url(), Catch::StartsWith("https://"));
    (*web)->start();
    httplib::SSLClient client("127.0.0.1", (*web)->port());
    client.set_ca_cert_path((pki->directory / "ca.crt").c_str());
    client.enable_server_certificate_verification(true);
    auto res = client.Get("/api/session");
    REQUIRE(res);
    CHECK(res->status == 200);
    const std::string cookie = res->get_header_value("Set-Cookie");
    CHECK_THAT(cookie, Catch::Contains("Secure") && Catch::Contains("HttpOnly") &&
                           Catch::Contains("SameSite=Strict"));
    // Plain HTTP to the HTTPS port gets nothing useful.
    httplib::Client plain("127.0.0.1", (*web)->port());
    plain.set_read_timeout(std::chrono::seconds(2));
    auto bad = plain.Get("/api/session");
    CHECK((!bad || bad->status != 200));
    (*web)->stop();

    WebOptions half;
    half.port = 0;
    half.tlsCertFile = pki->host.certFile;
    CHECK_FALSE(WebServer::create(**store, half));
    WebOptions missing = o;
    missing.tlsKeyFile = dir / "nope.key";
    CHECK_FALSE(WebServer::create(**store, missing));
}

TEST_CASE("five failed logins lock the name for a while", "[api][auth]")
{
    Station st;
    ApiClient c(st.web->port());
    for (int i = 0; i < 5; ++i)
        CHECK(c.login("anna", "guess-" + std::to_string(i)).status == 401);
    CHECK(c.login("anna", "anna-password").status == 429); // even the right password, for now
    CHECK(c.login("sam", "sam-password").status == 200);   // other names are not affected
}

TEST_CASE("a store that refuses writes shows its alarm to the officer", "[api][alarm]")
{
    TempDir dir;
    const auto file = dir / "s.db";
    {
        auto rw = SqliteStore::open(file);
        REQUIRE(rw);
        auto h = hashPassword("anna-password", kFast);
        REQUIRE(h);
        REQUIRE((*rw)->addUser(UserRecord{"anna", Role::Officer, *h, kT0, false}));
    }
    SqliteOptions ro;
    ro.readOnly = true;
    auto store = SqliteStore::open(file, ro);
    REQUIRE(store);
    WebOptions o;
    o.port = 0;
    auto web = WebServer::create(**store, o);
    REQUIRE(web);
    (*web)->start();
    ApiClient c((*web)->port());
    REQUIRE(c.login("anna", "anna-password").status == 200); // the audit write fails: alarm, not a lockout
    auto queue = c.get("/api/inspections");
    REQUIRE(queue.status == 200);
    CHECK(queue.json()["store"]["ok"] == false);
    CHECK_THAT(queue.json()["store"]["alarm"].get<std::string>(), Catch::Contains("read-only"));
    auto health = c.get("/api/health");
    CHECK(health.json()["store"]["ok"] == false);
    (*web)->stop();
}
