// SPDX-License-Identifier: Apache-2.0
// The tools' trust store folder loader: PEM and DER files, junk skipped, option > env > configuration.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>

#include <gw/specimen/seal_writer.h>
#include <gw/vision/seal.h>

#include "trust_store_loader.h"

namespace fs = std::filesystem;
using namespace gw;

TEST_CASE("a trust store folder loads PEM and DER signer certificates", "[seal][tools]")
{
    const fs::path dir = fs::temp_directory_path() / ("gw-trust-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    specimen::SignerSpec a;
    specimen::SignerSpec b;
    b.commonName = "GX";
    b.serial = 0x2B;
    const auto signerA = specimen::SealSigner::generate(a);
    const auto signerB = specimen::SealSigner::generate(b);
    REQUIRE(signerA);
    REQUIRE(signerB);
    std::ofstream(dir / "a.pem") << signerA->certificatePem();
    const auto der = signerB->certificateDer();
    std::ofstream(dir / "b.DER", std::ios::binary)
        .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
    std::ofstream(dir / "README.txt") << "ignored: not a certificate extension";
    std::ofstream(dir / "broken.crt") << "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n";

    const auto store = tools::loadTrustStore(dir);
    REQUIRE(store);
    CHECK(store->size() == 2);
    CHECK(store->warnings().size() == 1); // broken.crt
    const auto visa = specimen::visaSealSpec(
        std::vector<std::string>{std::string(36, '<'), "L898902C<3UTO7408122F1204159<<<<<<<<"}, "L898902C",
        30, *signerB, {2024, 1, 1});
    REQUIRE(visa);
    const auto bytes = specimen::writeSeal(*visa, *signerB);
    REQUIRE(bytes);
    const auto seal = vision::parseSeal(*bytes);
    REQUIRE(seal);
    CHECK(vision::verifySeal(*seal, *store).status == vision::SignatureStatus::Valid);

    CHECK_FALSE(tools::loadTrustStore(dir / "missing"));
    fs::remove_all(dir);
}

TEST_CASE("the trust store folder comes from the option, then GW_TRUST_STORE, then the configuration",
          "[seal][tools]")
{
    ::unsetenv(tools::kTrustStoreEnv);
    CHECK_FALSE(tools::resolveTrustStoreDir(std::nullopt, std::nullopt));
    CHECK(tools::resolveTrustStoreDir(std::nullopt, "/etc/gw/trust") == fs::path("/etc/gw/trust"));
    ::setenv(tools::kTrustStoreEnv, "/env/trust", 1);
    CHECK(tools::resolveTrustStoreDir(std::nullopt, "/etc/gw/trust") == fs::path("/env/trust"));
    CHECK(tools::resolveTrustStoreDir("/opt/trust", "/etc/gw/trust") == fs::path("/opt/trust"));
    ::unsetenv(tools::kTrustStoreEnv);
}
