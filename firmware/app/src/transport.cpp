// SPDX-License-Identifier: Apache-2.0
// Builds gw::link::TransportHostLink over TLS or USB FunctionFS for gw-firmware's --host / --usb-ffs.
#include "transport.h"

#include <charconv>

#ifdef GW_FW_HAVE_TRANSPORT
#include <gw/link/tls.h>
#include <gw/link/transport_host_link.h>
#include <gw/link/usb.h>
#endif

namespace gw::fw {

bool transportsAvailable() noexcept
{
#ifdef GW_FW_HAVE_TRANSPORT
    return true;
#else
    return false;
#endif
}

Result<std::unique_ptr<hal::HostLink>> openTransport(const TransportOptions& options)
{
#ifdef GW_FW_HAVE_TRANSPORT
    std::unique_ptr<link::Dialer> dialer;
    if (!options.host.empty()) {
        const auto colon = options.host.rfind(':');
        unsigned port = 0;
        if (colon == std::string::npos || colon == 0)
            return fail(Errc::InvalidArgument, "--host must be HOST:PORT, got '" + options.host + "'");
        const char* first = options.host.data() + colon + 1;
        const char* last = options.host.data() + options.host.size();
        const auto [ptr, ec] = std::from_chars(first, last, port);
        if (ec != std::errc() || ptr != last || port == 0 || port > 65535)
            return fail(Errc::InvalidArgument, "--host port must be 1..65535, got '" + options.host + "'");
        link::TlsClientOptions tls;
        tls.host = options.host.substr(0, colon);
        if (tls.host.size() > 2 && tls.host.front() == '[' && tls.host.back() == ']') // [::1]:4443
            tls.host = tls.host.substr(1, tls.host.size() - 2);
        tls.port = static_cast<std::uint16_t>(port);
        tls.credentials = {options.caFile, options.certFile, options.keyFile};
        tls.expectedServerName = options.serverName;
        auto d = link::TlsDialer::create(tls);
        if (!d)
            return std::unexpected(d.error());
        dialer = std::move(*d);
    } else if (!options.usbFunctionFs.empty()) {
        link::usb::FunctionFsOptions ffs;
        ffs.mountPoint = options.usbFunctionFs;
        auto d = link::usb::FunctionFsDialer::create(ffs);
        if (!d)
            return std::unexpected(d.error());
        dialer = std::move(*d);
    } else {
        return fail(Errc::InvalidArgument, "no transport chosen (--host or --usb-ffs)");
    }
    auto hostLink = link::TransportHostLink::create(std::move(dialer), {});
    if (!hostLink)
        return std::unexpected(hostLink.error());
    return std::unique_ptr<hal::HostLink>(std::move(*hostLink));
#else
    (void)options;
    return fail(Errc::Unsupported, "this firmware was built without the gw::link transports");
#endif
}

} // namespace gw::fw
