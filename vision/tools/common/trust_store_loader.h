// SPDX-License-Identifier: Apache-2.0
// Loads a folder of seal signer certificates into a gw::vision::TrustStore (tools side: does I/O).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gw/common/result.h>
#include <gw/vision/seal.h>

namespace gw::tools {

/// @brief Environment variable naming the trust store folder when no option is given.
inline constexpr const char* kTrustStoreEnv = "GW_TRUST_STORE";

/// @brief Reads every *.pem, *.crt, *.cer and *.der file directly in @p dir (not recursive, sorted by name).
/// @return the blobs (origin = file name); Io when the folder cannot be listed or a file cannot be read,
///         InvalidInput when a file is larger than 1 MiB or the folder holds more than 10000 certificates.
Result<std::vector<vision::CertificateBlob>> loadCertificateFolder(const std::filesystem::path& dir);

/// @brief loadCertificateFolder + TrustStore::fromCertificates. Files without a certificate are listed in
///        the store's warnings().
Result<vision::TrustStore> loadTrustStore(const std::filesystem::path& dir);

/// @brief The folder to use: @p option (e.g. `docinspect --trust-store DIR`), else $GW_TRUST_STORE,
///        else @p configured (the scanner's configuration); std::nullopt when none is set (empty counts as
///        unset).
std::optional<std::filesystem::path> resolveTrustStoreDir(const std::optional<std::string>& option,
                                                          const std::optional<std::string>& configured);

} // namespace gw::tools
