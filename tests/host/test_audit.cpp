// SPDX-License-Identifier: Apache-2.0
// The audit hash chain on its own: any edit, removal, insertion or reordering is detected.
#include <catch2/catch.hpp>

#include <gw/host/audit.h>

using namespace gw::host;

namespace {

std::vector<AuditEntry> chain(int n)
{
    std::vector<AuditEntry> out;
    std::string prev(kAuditGenesisHash);
    for (int i = 1; i <= n; ++i) {
        AuditEntry e{i, 1000 + i, "anna", "inspection.view", "id" + std::to_string(i), "", prev, ""};
        auto h = auditEntryHash(e);
        REQUIRE(h);
        e.hash = *h;
        prev = e.hash;
        out.push_back(e);
    }
    return out;
}

} // namespace

TEST_CASE("an untouched chain verifies", "[audit]")
{
    const auto c = chain(10);
    auto v = verifyAuditChain(c);
    REQUIRE(v);
    CHECK(v->intact());
    CHECK(v->entries == 10);
    CHECK(v->headHash == c.back().hash);
    auto empty = verifyAuditChain({});
    REQUIRE(empty);
    CHECK(empty->intact());
    CHECK(empty->headHash == kAuditGenesisHash);
}

TEST_CASE("the entry hash covers every field", "[audit]")
{
    const auto c = chain(1);
    AuditEntry e = c[0];
    const auto original = *auditEntryHash(e);
    for (int field = 0; field < 7; ++field) {
        AuditEntry x = e;
        switch (field) {
        case 0:
            x.seq += 1;
            break;
        case 1:
            x.timeMs += 1;
            break;
        case 2:
            x.actor += "x";
            break;
        case 3:
            x.action += "x";
            break;
        case 4:
            x.subject += "x";
            break;
        case 5:
            x.detail += "x";
            break;
        case 6:
            x.prevHash[0] = x.prevHash[0] == '0' ? '1' : '0';
            break;
        }
        CHECK(*auditEntryHash(x) != original);
    }
    // Length prefixes: moving a character between adjacent fields changes the hash.
    AuditEntry a = e;
    a.actor = "ann";
    a.action = "ainspection.view";
    CHECK(*auditEntryHash(a) != original);
}

TEST_CASE("edits, removals, insertions and reorderings break the chain where they happen", "[audit]")
{
    SECTION("edited detail")
    {
        auto c = chain(6);
        c[3].detail = "nothing to see";
        auto v = verifyAuditChain(c);
        REQUIRE(v);
        REQUIRE_FALSE(v->intact());
        CHECK(*v->firstBadSeq == 4);
    }
    SECTION("edited and re-hashed entry breaks the next link")
    {
        auto c = chain(6);
        c[2].actor = "mallory";
        c[2].hash = *auditEntryHash(c[2]);
        auto v = verifyAuditChain(c);
        REQUIRE(v);
        REQUIRE_FALSE(v->intact());
        CHECK(*v->firstBadSeq == 4);
    }
    SECTION("removed entry")
    {
        auto c = chain(6);
        c.erase(c.begin() + 2);
        auto v = verifyAuditChain(c);
        REQUIRE(v);
        REQUIRE_FALSE(v->intact());
        CHECK(*v->firstBadSeq == 4);
    }
    SECTION("swapped entries")
    {
        auto c = chain(6);
        std::swap(c[1], c[2]);
        auto v = verifyAuditChain(c);
        REQUIRE(v);
        CHECK_FALSE(v->intact());
    }
    SECTION("truncated log against a noted head hash")
    {
        auto c = chain(6);
        const std::string head = c.back().hash;
        c.pop_back();
        auto v = verifyAuditChain(c, head);
        REQUIRE(v);
        CHECK_FALSE(v->intact());
        auto whole = verifyAuditChain(chain(6), head);
        REQUIRE(whole);
        CHECK(whole->intact()); // the chain is deterministic: the same entries give the same head
    }
}
