// SPDX-License-Identifier: Apache-2.0
// StoreSink (INSPECTION -> committed store rows -> ACK) and the Receiver running the link session servers.
#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include <gw/host/receiver.h>
#include <gw/host/report.h>

namespace gw::host {
namespace {

std::int64_t systemNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

std::string statusJson(const link::Status& s)
{
    nlohmann::json health = nlohmann::json::array();
    for (const auto& h : s.health) {
        health.push_back(
            {{"name", h.name}, {"level", std::string(link::healthLevelName(h.level))}, {"detail", h.detail}});
    }
    nlohmann::json j{{"uptime_ms", s.uptimeMs},
                     {"spool_count", s.spoolCount},
                     {"spool_bytes", s.spoolBytes},
                     {"spool_limit_bytes", s.spoolLimitBytes},
                     {"free_storage_bytes", s.freeStorageBytes},
                     {"faults", s.faults},
                     {"health", std::move(health)}};
    if (s.temperatureCentiC)
        j["temperature_c"] = *s.temperatureCentiC / 100.0;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

StoreSink::StoreSink(Store& store, std::function<std::int64_t()> clockMs, StoredCallback onStored)
    : store_(store), clockMs_(std::move(clockMs)), onStored_(std::move(onStored))
{
}

Result<link::StoreOutcome> StoreSink::store(const link::InspectionOrigin& origin,
                                            const link::Inspection& inspection)
{
    const std::int64_t now = clockMs_ ? clockMs_() : systemNowMs();
    const std::string deviceId = origin.deviceId.empty() ? origin.peer.address : origin.deviceId;
    auto record =
        inspectionFromReport(inspection.id.toHex(), deviceId,
                             static_cast<std::int64_t>(inspection.captureTimeMs), now, inspection.reportJson);
    if (!record) {
        // Malformed reports are refused for good (the scanner sets them aside) instead of being resent
        // forever; the reason reaches the scanner's log.
        std::string reason = record.error().message();
        if (reason.size() > link::kMaxShortTextBytes)
            reason.resize(link::kMaxShortTextBytes);
        return link::StoreOutcome{link::AckStatus::Rejected, reason};
    }
    for (const auto& image : inspection.images) {
        record->images.push_back(ImageRecord{std::string(link::lightName(image.light)),
                                             std::string(link::imageEncodingName(image.encoding)),
                                             image.bytes});
    }
    auto outcome = store_.insertInspection(*record);
    if (!outcome)
        return std::unexpected(outcome.error());
    const auto status =
        *outcome == InsertOutcome::Stored ? link::AckStatus::Stored : link::AckStatus::Duplicate;
    if (onStored_)
        onStored_(*record, status);
    return link::StoreOutcome{status, {}};
}

struct Receiver::Impl {
    Store& store;
    ReceiverOptions options;
    StoreSink sink;
    std::vector<std::unique_ptr<link::SessionServer>> servers;
    std::uint16_t tlsPort = 0;
    bool running = false;

    Impl(Store& s, ReceiverOptions o)
        : store(s), options(std::move(o)), sink(s, options.clockMs, options.onStored)
    {
    }

    std::int64_t now() const { return options.clockMs ? options.clockMs() : systemNowMs(); }

    link::ServerEvents events()
    {
        link::ServerEvents ev;
        ev.connected = [this](const link::PeerIdentity& peer, const link::Hello& hello) {
            ScannerRecord s;
            s.deviceId = hello.deviceId;
            s.firmwareVersion = hello.firmwareVersion;
            s.board = hello.board;
            s.transport = peer.transport;
            s.address = peer.address;
            s.lastSeenMs = now();
            s.connected = true;
            // Keep the last STATUS across reconnects: read it back rather than overwrite it with "{}".
            if (auto all = store.scanners()) {
                for (const auto& known : *all) {
                    if (known.deviceId == hello.deviceId)
                        s.healthJson = known.healthJson;
                }
            }
            (void)store.upsertScanner(s);
            (void)store.appendAudit(
                "scanner:" + hello.deviceId, "scanner.connected", hello.deviceId,
                peer.transport + " " + peer.address + " firmware " + hello.firmwareVersion, now());
        };
        ev.disconnected = [this](const link::PeerIdentity& peer, const std::string& deviceId,
                                 const std::string& why) {
            // Why a scanner dropped is the first question when one does, and nothing else keeps it: one
            // line on standard error per ended or refused session (written whole: sessions run in parallel).
            std::cerr << ("gw-station: scanner " + (deviceId.empty() ? std::string("?") : deviceId) + " (" +
                          peer.transport + " " + peer.address + ") disconnected: " + why + "\n")
                      << std::flush;
            if (!deviceId.empty())
                (void)store.touchScanner(deviceId, now(), "", false);
        };
        ev.status = [this](const std::string& deviceId, const link::Status& status) {
            (void)store.touchScanner(deviceId, now(), statusJson(status), true);
        };
        return ev;
    }
};

Receiver::Receiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Receiver::~Receiver()
{
    stop();
}

Result<std::unique_ptr<Receiver>> Receiver::create(Store& store, ReceiverOptions options)
{
    if (!options.tls && !options.usb)
        return fail(Errc::InvalidArgument, "the receiver needs TLS or USB (or both)");
    auto impl = std::make_unique<Impl>(store, std::move(options));
    if (impl->options.tls) {
        auto listener = link::TlsListener::create(*impl->options.tls);
        if (!listener)
            return std::unexpected(listener.error());
        impl->tlsPort = (*listener)->port();
        auto server = link::SessionServer::create(std::move(*listener), impl->sink, impl->options.session,
                                                  impl->events());
        if (!server)
            return std::unexpected(server.error());
        impl->servers.push_back(std::move(*server));
    }
    if (impl->options.usb) {
        auto listener = link::usb::UsbHostListener::create(*impl->options.usb);
        if (!listener)
            return std::unexpected(listener.error());
        auto server = link::SessionServer::create(std::move(*listener), impl->sink, impl->options.session,
                                                  impl->events());
        if (!server)
            return std::unexpected(server.error());
        impl->servers.push_back(std::move(*server));
    }
    return std::unique_ptr<Receiver>(new Receiver(std::move(impl)));
}

void Receiver::start()
{
    if (impl_->running)
        return;
    if (auto all = impl_->store.scanners()) {
        for (const auto& s : *all) {
            if (s.connected)
                (void)impl_->store.touchScanner(s.deviceId, s.lastSeenMs, "", false);
        }
    }
    for (auto& server : impl_->servers)
        server->start();
    impl_->running = true;
}

void Receiver::stop()
{
    if (!impl_)
        return;
    for (auto& server : impl_->servers)
        server->stop();
    impl_->running = false;
}

std::uint16_t Receiver::tlsPort() const noexcept
{
    return impl_->tlsPort;
}

link::ServerStats Receiver::stats() const
{
    link::ServerStats total;
    for (const auto& server : impl_->servers) {
        const auto s = server->stats();
        total.accepted += s.accepted;
        total.refused += s.refused;
        total.sessions += s.sessions;
        total.inspections += s.inspections;
        total.acks += s.acks;
        total.corruptStreams += s.corruptStreams;
        total.active += s.active;
    }
    return total;
}

} // namespace gw::host
