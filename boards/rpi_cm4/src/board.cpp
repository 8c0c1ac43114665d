// SPDX-License-Identifier: Apache-2.0
// hal::createBoard() for GW_BOARD=rpi_cm4.
#include <gw/boards/rpi_cm4/devices.h>
#include <gw/hal/board.h>

namespace gw::hal {

Result<BoardDevices> createBoard(const BoardOptions& options)
{
    return boards::rpi_cm4::createDevices(options);
}

std::string_view boardName() noexcept
{
    return "rpi_cm4";
}

} // namespace gw::hal
