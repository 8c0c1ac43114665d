// SPDX-License-Identifier: Apache-2.0
// FunctionFS descriptor and string blobs, written byte by byte in little-endian (no packed structs).
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include <gw/link/usb.h>

namespace gw::link::usb {
namespace {

void le16(std::vector<std::uint8_t>& out, std::uint16_t v)
{
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void le32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void patchLe32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t v)
{
    for (std::size_t i = 0; i < 4; ++i)
        out[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void interfaceDescriptor(std::vector<std::uint8_t>& out)
{
    out.insert(out.end(),
               {USB_DT_INTERFACE_SIZE, USB_DT_INTERFACE, 0 /*bInterfaceNumber*/, 0 /*alt*/, 2 /*endpoints*/,
                kInterfaceClass, kInterfaceSubClass, kInterfaceProtocol, 1 /*iInterface: first string*/});
}

void bulkEndpoint(std::vector<std::uint8_t>& out, std::uint8_t address, std::uint16_t maxPacketBytes)
{
    out.insert(out.end(), {USB_DT_ENDPOINT_SIZE, USB_DT_ENDPOINT, address, USB_ENDPOINT_XFER_BULK});
    le16(out, maxPacketBytes);
    out.push_back(0); // bInterval: unused for bulk IN, NAK rate for OUT
}

void superSpeedCompanion(std::vector<std::uint8_t>& out)
{
    out.insert(out.end(), {USB_DT_SS_EP_COMP_SIZE, USB_DT_SS_ENDPOINT_COMP, 0 /*burst*/, 0 /*streams*/});
    le16(out, 0); // wBytesPerInterval: periodic endpoints only
}

/// One speed's set; @p companion adds the SuperSpeed companion after each endpoint.
std::uint32_t speedSet(std::vector<std::uint8_t>& out, std::uint16_t maxPacketBytes, bool companion)
{
    interfaceDescriptor(out);
    bulkEndpoint(out, 1 | USB_DIR_IN, maxPacketBytes);
    if (companion)
        superSpeedCompanion(out);
    bulkEndpoint(out, 2 | USB_DIR_OUT, maxPacketBytes);
    if (companion)
        superSpeedCompanion(out);
    return companion ? 5u : 3u;
}

} // namespace

std::vector<std::uint8_t> functionFsDescriptors()
{
    std::vector<std::uint8_t> out;
    le32(out, FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
    le32(out, 0); // length, patched below
    le32(out, FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC | FUNCTIONFS_HAS_SS_DESC);
    const std::size_t counts = out.size();
    le32(out, 0);
    le32(out, 0);
    le32(out, 0);
    const std::uint32_t fs = speedSet(out, 64, false);
    const std::uint32_t hs = speedSet(out, 512, false);
    const std::uint32_t ss = speedSet(out, 1024, true);
    patchLe32(out, counts, fs);
    patchLe32(out, counts + 4, hs);
    patchLe32(out, counts + 8, ss);
    patchLe32(out, 4, static_cast<std::uint32_t>(out.size()));
    return out;
}

Result<std::vector<std::uint8_t>> functionFsStrings(const std::string& interfaceName)
{
    if (interfaceName.empty() || interfaceName.size() > 126)
        return fail(Errc::InvalidArgument, "USB interface name must be 1..126 bytes");
    for (const char c : interfaceName)
        if (c < 0x20 || c > 0x7E)
            return fail(Errc::InvalidArgument, "USB interface name must be printable ASCII");
    std::vector<std::uint8_t> out;
    le32(out, FUNCTIONFS_STRINGS_MAGIC);
    le32(out, 0);      // length, patched below
    le32(out, 1);      // str_count
    le32(out, 1);      // lang_count
    le16(out, 0x0409); // en-US
    out.insert(out.end(), interfaceName.begin(), interfaceName.end());
    out.push_back(0);
    patchLe32(out, 4, static_cast<std::uint32_t>(out.size()));
    return out;
}

} // namespace gw::link::usb
