// SPDX-License-Identifier: Apache-2.0
// Crash safety: the firmware is killed with SIGKILL between the spool write and the host's ACK (and at
// random moments while writing); the restarted firmware resends every spooled inspection exactly once.
#include <csignal>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sys/wait.h>

#include "test_fw_util.h"

using namespace gw;
using namespace gw::fw;
using namespace gw::fw::test;

namespace {

// Runs in the forked child: never returns into Catch2.
[[noreturn]] void childRun(const std::filesystem::path& spoolDir, const std::filesystem::path& captures,
                           std::string_view scenario, int notifyFd, std::size_t notifyAtCount)
{
    try {
        setLogSink([](const LogRecord&) {});
        emulator::EmulatorOptions eo;
        eo.ackMode = emulator::AckMode::Never; // a host that never answers
        Rig rig(spoolDir, captures, scenario, eo);
        bool notified = false;
        for (int i = 0; i < 1'000'000; ++i) {
            rig.app->step();
            rig.clock.advanceUs(2000);
            if (!notified && rig.spool->count() >= notifyAtCount) {
                const char b = 'S';
                if (::write(notifyFd, &b, 1) != 1)
                    ::_exit(4);
                notified = true;
            }
        }
        ::pause();
    } catch (...) {
        ::_exit(3);
    }
    ::_exit(0);
}

struct Child {
    pid_t pid = -1;
    int readFd = -1;
};

Child spawn(const std::filesystem::path& spoolDir, const std::filesystem::path& captures,
            std::string_view scenario, std::size_t notifyAtCount)
{
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        childRun(spoolDir, captures, scenario, fds[1], notifyAtCount);
    }
    ::close(fds[1]);
    return Child{pid, fds[0]};
}

bool waitForByte(int fd, int timeoutMs)
{
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) != 1)
        return false;
    char b = 0;
    return ::read(fd, &b, 1) == 1;
}

void killHard(Child& c)
{
    ::kill(c.pid, SIGKILL);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    ::close(c.readFd);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
}

} // namespace

TEST_CASE("SIGKILL after the spool write and before the ACK: resent exactly once after restart",
          "[fw][crash]")
{
    TempDir caps;
    writeSyntheticCapture(caps.path() / "green", kGreenLevel);
    TempDir spoolDir;
    Child child = spawn(spoolDir.path(), caps.path(), "place green\n", 1);
    // qemu-aarch64 and the sanitizers are slow to start: be generous.
    REQUIRE(waitForByte(child.readFd, 60'000));
    killHard(child);

    Rig rig(spoolDir.path(), caps.path(), "wait 10\n");
    REQUIRE(rig.spool->count() == 1);
    CHECK(rig.spool->problems().empty());
    const link::InspectionId id = rig.spool->entries()[0].id;
    rig.run();
    REQUIRE(rig.host().received().size() == 1);
    CHECK(rig.host().received()[0].inspection.id == id);
    CHECK(rig.host().received()[0].resend);
    CHECK(rig.host().stored().size() == 1);
    CHECK(rig.spool->count() == 0);

    // A second restart sends nothing: the ACKed inspection is gone for good.
    Rig again(spoolDir.path(), caps.path(), "wait 10\n");
    again.run();
    CHECK(again.host().received().empty());
}

TEST_CASE("SIGKILL at arbitrary moments while spooling never leaves a torn or lost entry", "[fw][crash]")
{
    TempDir caps;
    writeSyntheticCapture(caps.path() / "a", kGreenLevel, std::nullopt, 320, 240);
    std::string scenario;
    for (int i = 0; i < 400; ++i)
        scenario += "place a\nremove\n";
    std::mt19937 rng(12345);
    for (int round = 0; round < 4; ++round) {
        TempDir spoolDir;
        Child child = spawn(spoolDir.path(), caps.path(), scenario, 1);
        REQUIRE(waitForByte(child.readFd, 60'000));
        // Let it spool a few more, then kill it wherever it is (maybe inside a write or an fsync).
        ::usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(1'000, 40'000)(rng)));
        killHard(child);

        Rig rig(spoolDir.path(), caps.path(), "wait 10\n");
        INFO("round " << round);
        CHECK(rig.spool->problems().empty());
        const auto before = rig.spool->entries();
        REQUIRE_FALSE(before.empty());
        for (std::size_t i = 1; i < before.size(); ++i)
            CHECK(before[i].sequence > before[i - 1].sequence);
        rig.run();
        REQUIRE(rig.host().received().size() == before.size());
        for (std::size_t i = 0; i < before.size(); ++i) {
            CHECK(rig.host().received()[i].inspection.id == before[i].id);
            CHECK(rig.host().timesReceived(before[i].id) == 1);
        }
        CHECK(rig.spool->count() == 0);
    }
}
