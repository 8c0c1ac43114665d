// SPDX-License-Identifier: Apache-2.0
// gw-scanner-sim: a test PKI maker and an emulated scanner that sends synthetic inspections to a station.
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include <gw/link/testing.h>
#include <gw/link/tls.h>

#include "scanner_sim.h"

using namespace gw::host::testing;

int main(int argc, char** argv)
{
    CLI::App app{"gw-scanner-sim: test PKI and an emulated scanner for the Grenswacht station"};
    app.require_subcommand(1);

    auto* pki = app.add_subcommand("pki", "make ca.crt, host.crt/key and <id>.crt/key in a folder");
    std::string dir;
    std::string ids = "GW-EMU-0001";
    pki->add_option("--dir", dir)->required();
    pki->add_option("--ids", ids, "comma-separated scanner ids")->capture_default_str();

    auto* send = app.add_subcommand("send", "send inspections to a station over TLS and wait for the ACKs");
    std::string host = "127.0.0.1";
    int port = 0;
    std::string device = "GW-EMU-0001";
    int count = 5;
    int redEvery = 3;
    int intervalMs = 0;
    int timeoutS = 60;
    std::uint64_t salt = 0;
    std::string state = "UTO";
    send->add_option("--host", host)->capture_default_str();
    send->add_option("--port", port)->required();
    send->add_option("--pki", dir, "folder made by `pki`")->required();
    send->add_option("--device", device)->capture_default_str();
    send->add_option("--count", count)->capture_default_str();
    send->add_option("--red-every", redEvery, "every k-th document is a forgery (0: none)")
        ->capture_default_str();
    send->add_option("--interval-ms", intervalMs, "pause between documents")->capture_default_str();
    send->add_option("--timeout-s", timeoutS)->capture_default_str();
    send->add_option("--salt", salt, "varies the inspection ids between runs")->capture_default_str();
    send->add_option("--issuing-state", state)->capture_default_str();

    CLI11_PARSE(app, argc, argv);

    if (pki->parsed()) {
        std::vector<std::string> list;
        std::size_t start = 0;
        while (start <= ids.size()) {
            const auto comma = std::min(ids.find(',', start), ids.size());
            if (comma > start)
                list.push_back(ids.substr(start, comma - start));
            start = comma + 1;
        }
        auto made = gw::link::testing::makeTestPki(dir, list);
        if (!made) {
            std::cerr << "gw-scanner-sim: " << made.error().describe() << "\n";
            return 2;
        }
        std::cout << "test PKI in " << dir << "\n";
        return 0;
    }

    gw::link::TlsClientOptions tls;
    tls.host = host;
    tls.port = static_cast<std::uint16_t>(port);
    tls.credentials = {std::filesystem::path(dir) / "ca.crt", std::filesystem::path(dir) / (device + ".crt"),
                       std::filesystem::path(dir) / (device + ".key")};
    auto dialer = gw::link::TlsDialer::create(tls);
    if (!dialer) {
        std::cerr << "gw-scanner-sim: " << dialer.error().describe() << "\n";
        return 2;
    }
    RecordingQueue queue;
    gw::link::ClientOptions co;
    co.hello = simHello(device);
    co.backoffMax = std::chrono::milliseconds(1000);
    auto client = gw::link::SessionClient::create(std::move(*dialer), queue, co);
    if (!client) {
        std::cerr << "gw-scanner-sim: " << client.error().describe() << "\n";
        return 2;
    }
    (*client)->start();
    const auto now = [] {
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    };
    for (int i = 0; i < count; ++i) {
        SimDocument doc;
        doc.red = redEvery > 0 && (i + 1) % redEvery == 0;
        doc.issuingState = state;
        queue.add(makeSimInspection(static_cast<std::uint64_t>(i + 1), salt, doc, now()));
        (*client)->notify();
        if (intervalMs > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutS);
    while (queue.pendingCount() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    (*client)->stop();
    const auto acked = queue.acknowledged();
    std::cout << device << ": " << acked.size() << " acknowledged, " << queue.rejectedCount() << " rejected, "
              << queue.pendingCount() << " pending\n";
    return queue.pendingCount() == 0 ? 0 : 1;
}
