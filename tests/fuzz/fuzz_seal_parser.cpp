// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: parseSeal (VDS and VDS-NC), JSON serialisation and verification of what parses.
#include <cstddef>
#include <cstdint>
#include <span>

#include <gw/vision/seal.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto seal = gw::vision::parseSeal(std::span<const std::uint8_t>(data, size));
    if (seal) {
        (void)seal->mrzLines();
        (void)seal->documentNumber();
        (void)gw::vision::sealToJson(*seal);
        // An empty store: exercises the signer lookup and, for VDS-NC, the embedded certificate parser.
        static const gw::vision::TrustStore kEmpty;
        (void)gw::vision::verifySeal(*seal, kEmpty);
    }
    return 0;
}
