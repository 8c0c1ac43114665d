// SPDX-License-Identifier: Apache-2.0
// gw-firmware's network transports: TLS to the host station, or USB device mode (FunctionFS), via gw::link.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <gw/common/result.h>
#include <gw/hal/host_link.h>

namespace gw::fw {

/// @brief Command-line choice of transport: TLS when @c host is set, else USB when @c usbFunctionFs is set.
struct TransportOptions {
    std::string host;                    ///< "HOST:PORT" of the host station
    std::filesystem::path caFile;        ///< CA that issued the station's certificate
    std::filesystem::path certFile;      ///< the scanner's certificate (CN = device id)
    std::filesystem::path keyFile;       ///< the scanner's private key
    std::string serverName;              ///< name the station's certificate must carry (empty: the host part)
    std::filesystem::path usbFunctionFs; ///< FunctionFS mount point of the USB gadget
};

/// @brief True when this build links the gw::link transports.
bool transportsAvailable() noexcept;

/// @brief The hal::HostLink for @p options (gw::link::TransportHostLink over a TLS or FunctionFS dialer).
/// @return Errc::InvalidArgument for a malformed HOST:PORT or unreadable credentials; Errc::Unsupported
///         when the build has no transports; Errc::Io when the FunctionFS files cannot be opened
Result<std::unique_ptr<hal::HostLink>> openTransport(const TransportOptions& options);

} // namespace gw::fw
