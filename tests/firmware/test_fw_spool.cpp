// SPDX-License-Identifier: Apache-2.0
// The spool: durable write, reload in order, limits without silent dropping, crash leftovers, corruption.
#include <fstream>

#include <catch2/catch.hpp>

#include <gw/link/messages.h>
#include <gw/spool/spool.h>

#include "test_fw_util.h"

using namespace gw;
using gw::fw::test::TempDir;

namespace {

link::InspectionId idOf(std::uint8_t n)
{
    link::InspectionId id;
    id.bytes.fill(0x11);
    id.bytes[15] = n;
    return id;
}

std::vector<std::uint8_t> bodyOf(std::size_t size, std::uint8_t seed)
{
    std::vector<std::uint8_t> b(size);
    for (std::size_t i = 0; i < size; ++i)
        b[i] = static_cast<std::uint8_t>(seed * 31u + i);
    return b;
}

std::size_t filesWithSuffix(const std::filesystem::path& dir, std::string_view suffix)
{
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        n += e.path().filename().string().ends_with(suffix) ? 1 : 0;
    return n;
}

} // namespace

TEST_CASE("spool writes, reloads in order and deletes on ACK", "[fw][spool]")
{
    TempDir dir;
    {
        auto s = spool::Spool::open(dir.path());
        REQUIRE(s);
        CHECK(s->count() == 0);
        for (std::uint8_t i = 1; i <= 5; ++i) {
            auto e = s->append(idOf(i), bodyOf(100u + i, i));
            REQUIRE(e);
            CHECK(e->sequence == i);
            CHECK(e->fileBytes == 48u + 100u + i);
        }
        CHECK(s->usedBytes() == 5 * 48 + 500 + 15);
        REQUIRE(s->remove(idOf(2)));
        CHECK(s->count() == 4);
        CHECK(s->remove(idOf(99))); // a late ACK for something gone is fine
    }
    auto s = spool::Spool::open(dir.path());
    REQUIRE(s);
    REQUIRE(s->count() == 4);
    const std::vector<std::uint8_t> expectOrder = {1, 3, 4, 5};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(s->entries()[i].id == idOf(expectOrder[i]));
        auto body = s->readBody(s->entries()[i].id);
        REQUIRE(body);
        CHECK(*body == bodyOf(100u + expectOrder[i], expectOrder[i]));
    }
    CHECK(s->problems().empty());
    // Sequence numbers continue after the highest on disk, so new entries sort after old ones.
    auto e = s->append(idOf(6), bodyOf(10, 6));
    REQUIRE(e);
    CHECK(e->sequence == 6);
}

TEST_CASE("spool refuses bad input", "[fw][spool]")
{
    TempDir dir;
    CHECK(spool::Spool::open("").error().code() == Errc::InvalidArgument);
    CHECK(spool::Spool::open(dir.path(), {.limitBytes = 10}).error().code() == Errc::InvalidArgument);
    CHECK(spool::Spool::open(dir.path(), {.maxEntries = 0}).error().code() == Errc::InvalidArgument);
    {
        std::ofstream f(dir.path() / "afile");
        f << "x";
    }
    CHECK(spool::Spool::open(dir.path() / "afile").error().code() == Errc::Io);
    auto s = spool::Spool::open(dir.path() / "q");
    REQUIRE(s);
    CHECK(s->append(link::InspectionId{}, bodyOf(4, 1)).error().code() == Errc::InvalidArgument);
    CHECK(s->append(idOf(1), {}).error().code() == Errc::InvalidArgument);
    REQUIRE(s->append(idOf(1), bodyOf(4, 1)));
    CHECK(s->append(idOf(1), bodyOf(4, 1)).error().code() == Errc::InvalidArgument);
    CHECK(s->readBody(idOf(7)).error().code() == Errc::InvalidArgument);
}

TEST_CASE("spool limits raise full() and refuse appends without dropping anything", "[fw][spool]")
{
    TempDir dir;
    SECTION("bytes")
    {
        auto s = spool::Spool::open(dir.path(), {.limitBytes = 2048, .maxEntries = 100, .reserveBytes = 600});
        REQUIRE(s);
        REQUIRE(s->append(idOf(1), bodyOf(500, 1)));
        CHECK_FALSE(s->full());
        REQUIRE(s->append(idOf(2), bodyOf(500, 2)));
        CHECK_FALSE(s->full()); // 1096 used + 600 reserve <= 2048
        REQUIRE(s->append(idOf(3), bodyOf(500, 3)));
        CHECK(s->full()); // 1644 + 600 > 2048
        auto refused = s->append(idOf(4), bodyOf(500, 4));
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code() == Errc::Io);
        CHECK(refused.error().message().find("spool full") != std::string::npos);
        CHECK(s->count() == 3);
        CHECK(filesWithSuffix(dir.path(), ".insp") == 3);
        CHECK(filesWithSuffix(dir.path(), ".tmp") == 0);
        REQUIRE(s->remove(idOf(1)));
        CHECK_FALSE(s->full());
    }
    SECTION("entries")
    {
        auto s = spool::Spool::open(dir.path(), {.limitBytes = 1 << 20, .maxEntries = 2, .reserveBytes = 1});
        REQUIRE(s);
        REQUIRE(s->append(idOf(1), bodyOf(5, 1)));
        CHECK_FALSE(s->full());
        REQUIRE(s->append(idOf(2), bodyOf(5, 2)));
        CHECK(s->full());
        CHECK_FALSE(s->append(idOf(3), bodyOf(5, 3)));
        CHECK(s->count() == 2);
    }
}

TEST_CASE("spool recovery deletes temp files of interrupted writes and sets corrupt files aside",
          "[fw][spool]")
{
    TempDir dir;
    {
        auto s = spool::Spool::open(dir.path());
        REQUIRE(s);
        for (std::uint8_t i = 1; i <= 4; ++i)
            REQUIRE(s->append(idOf(i), bodyOf(64, i)));
    }
    const auto file = [&](int seq) {
        std::string n = std::to_string(seq);
        return dir.path() / (std::string(20 - n.size(), '0') + n + ".insp");
    };
    // A crash between write and rename leaves a hidden temp file.
    {
        std::ofstream t(dir.path() / ".00000000000000000005.insp.tmp", std::ios::binary);
        t << "half a write";
    }
    // Entry 2: truncated. Entry 3: garbage header. Entry 4: body bit flip (found when read).
    std::filesystem::resize_file(file(2), 60);
    {
        std::fstream f(file(3), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(0);
        f << "XXXX";
    }
    {
        std::fstream f(file(4), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(48 + 10);
        f.put('\x7f');
    }
    // Unrelated files are left alone.
    {
        std::ofstream o(dir.path() / "README");
        o << "lab notes";
    }
    auto s = spool::Spool::open(dir.path());
    REQUIRE(s);
    CHECK(filesWithSuffix(dir.path(), ".tmp") == 0);
    REQUIRE(s->problems().size() == 2);
    CHECK(s->problems()[0].reason.find("bytes") != std::string::npos);
    CHECK(s->problems()[1].reason.find("magic") != std::string::npos);
    REQUIRE(s->count() == 2);
    CHECK(s->entries()[0].id == idOf(1));
    CHECK(s->readBody(idOf(1)));
    auto bad = s->readBody(idOf(4));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code() == Errc::InvalidInput);
    CHECK(bad.error().message().find("CRC") != std::string::npos);
    CHECK(s->count() == 1);
    CHECK(s->problems().size() == 3);
    CHECK(filesWithSuffix(dir.path(), ".corrupt") == 3);
    CHECK(std::filesystem::exists(dir.path() / "README"));
    CHECK(s->usedBytes() == 48 + 64);
}

TEST_CASE("a rejected inspection is set aside, not resent and not deleted", "[fw][spool]")
{
    TempDir dir;
    auto s = spool::Spool::open(dir.path());
    REQUIRE(s);
    REQUIRE(s->append(idOf(1), bodyOf(8, 1)));
    REQUIRE(s->setAside(idOf(1)));
    CHECK(s->count() == 0);
    CHECK(filesWithSuffix(dir.path(), ".rejected") == 1);
    auto again = spool::Spool::open(dir.path());
    REQUIRE(again);
    CHECK(again->count() == 0);
}
