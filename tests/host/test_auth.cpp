// SPDX-License-Identifier: Apache-2.0
// Password hashing (scrypt), the role table and sessions.
#include <catch2/catch.hpp>

#include <gw/host/auth.h>

using namespace gw::host;

namespace {
// Tests use a cheaper cost than the default so the suite stays fast; the format is the same.
constexpr KdfParams kFast{12, 8, 1};
} // namespace

TEST_CASE("scrypt hashes verify the right password only", "[auth][kdf]")
{
    auto h = hashPassword("correct horse battery", kFast);
    REQUIRE(h);
    CHECK_THAT(*h, Catch::StartsWith("scrypt$12$8$1$"));
    CHECK(h->find("correct") == std::string::npos);
    auto ok = verifyPassword("correct horse battery", *h);
    REQUIRE(ok);
    CHECK(*ok);
    auto wrong = verifyPassword("correct horse batterY", *h);
    REQUIRE(wrong);
    CHECK_FALSE(*wrong);
    // Fresh salt: the same password hashes differently each time.
    auto h2 = hashPassword("correct horse battery", kFast);
    REQUIRE(h2);
    CHECK(*h2 != *h);
}

TEST_CASE("the default cost is slow enough to matter", "[auth][kdf]")
{
    auto h = hashPassword("a password of ours");
    REQUIRE(h);
    CHECK_THAT(*h, Catch::StartsWith("scrypt$15$8$1$")); // N = 2^15, r = 8: 32 MiB per guess
}

TEST_CASE("malformed or hostile hashes are errors, not crashes", "[auth][kdf]")
{
    for (const char* bad :
         {"", "scrypt", "md5$1$2$3$aa$bb", "scrypt$15$8$1$zz$00", "scrypt$99$8$1$00$00",
          "scrypt$15$8$1$0011$00", "scrypt$15$8$1$$", "scrypt$-1$8$1$00112233$0011223344556677",
          "scrypt$15$8$1$00112233$0011223344556677$extra"}) {
        INFO(bad);
        auto r = verifyPassword("x", bad);
        CHECK_FALSE(r);
    }
    CHECK_FALSE(hashPassword(std::string(kMaxPasswordLength + 1, 'a'), kFast));
    CHECK_FALSE(hashPassword("x", KdfParams{30, 8, 1}));
}

TEST_CASE("the role table", "[auth][roles]")
{
    CHECK(allowed(Role::Officer, Permission::Decide));
    CHECK(allowed(Role::Officer, Permission::ReadInspections));
    CHECK_FALSE(allowed(Role::Officer, Permission::ReadAudit));
    CHECK_FALSE(allowed(Role::Officer, Permission::ManageUsers));
    CHECK_FALSE(allowed(Role::Officer, Permission::Export));
    CHECK(allowed(Role::Supervisor, Permission::ManageUsers));
    CHECK(allowed(Role::Supervisor, Permission::Decide));
    CHECK(allowed(Role::Supervisor, Permission::ReadAudit));
    CHECK(allowed(Role::Auditor, Permission::ReadAudit));
    CHECK(allowed(Role::Auditor, Permission::ReadInspections));
    CHECK_FALSE(allowed(Role::Auditor, Permission::Decide));
    CHECK_FALSE(allowed(Role::Auditor, Permission::ManageUsers));
    CHECK(roleFromName("auditor") == Role::Auditor);
    CHECK_FALSE(roleFromName("root"));
}

TEST_CASE("sessions: login rotates the token, expiry, bounded count", "[auth][session]")
{
    SessionManager sm(1000, 4);
    auto anon = sm.create(0);
    REQUIRE(anon);
    CHECK(anon->token.size() == 64);
    CHECK(anon->csrfToken != anon->token);
    CHECK(anon->user.empty());

    auto logged = sm.login(anon->token, "anna", Role::Officer, 10);
    REQUIRE(logged);
    CHECK(logged->token != anon->token);         // no session fixation
    CHECK(logged->csrfToken != anon->csrfToken); // fresh CSRF token
    CHECK_FALSE(sm.find(anon->token, 20));
    auto found = sm.find(logged->token, 20);
    REQUIRE(found);
    CHECK(found->user == "anna");
    CHECK(found->role == Role::Officer);

    // Sliding expiry: used at 500 -> alive at 1400, dead at 2600.
    CHECK(sm.find(logged->token, 500));
    CHECK(sm.find(logged->token, 1400));
    CHECK_FALSE(sm.find(logged->token, 2600));

    for (int i = 0; i < 20; ++i)
        REQUIRE(sm.create(3000));
    CHECK(sm.size() <= 4);
    sm.remove("unknown");
}

TEST_CASE("token comparison", "[auth]")
{
    CHECK(tokensEqual("abc", "abc"));
    CHECK_FALSE(tokensEqual("abc", "abd"));
    CHECK_FALSE(tokensEqual("abc", "ab"));
    CHECK_FALSE(tokensEqual("", "")); // an empty token never matches
}
