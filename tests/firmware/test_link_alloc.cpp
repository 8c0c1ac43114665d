// SPDX-License-Identifier: Apache-2.0
// The decoder allocates for payload bytes that arrived, never for a length a header merely announces.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include <catch2/catch.hpp>

#include <gw/link/frame.h>

#include "link_test_util.h"

// This executable replaces the global allocation functions to record the largest single request made
// while a test watches. Every plain and nothrow form is replaced (ASan pairs each new with its own
// delete) and forwards to malloc/free, so sanitizers still see every block.
namespace {

std::atomic<bool> gWatching{false};
std::atomic<std::size_t> gLargestRequestBytes{0};

void* allocate(std::size_t size)
{
    if (gWatching.load(std::memory_order_relaxed)) {
        std::size_t seen = gLargestRequestBytes.load(std::memory_order_relaxed);
        while (size > seen && !gLargestRequestBytes.compare_exchange_weak(seen, size)) {
        }
    }
    if (void* p = std::malloc(size == 0 ? 1 : size))
        return p;
    throw std::bad_alloc();
}

/// Runs @p fn and returns the largest single allocation it made [bytes].
template <typename Fn>
std::size_t largestAllocation(Fn&& fn)
{
    gLargestRequestBytes = 0;
    gWatching = true;
    fn();
    gWatching = false;
    return gLargestRequestBytes.load();
}

} // namespace

void* operator new(std::size_t size)
{
    return allocate(size);
}
void* operator new[](std::size_t size)
{
    return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    try {
        return allocate(size);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept
{
    return operator new(size, tag);
}
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}
void operator delete[](void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept
{
    std::free(p);
}

namespace {

using namespace gw::link;
using namespace gw::link::test;

std::vector<std::uint8_t> headerAnnouncing(std::uint32_t payloadBytes)
{
    auto f = handFrame(1, 0, static_cast<std::uint8_t>(MessageType::Inspection), 0, 1, {});
    storeBe32(f, 12, payloadBytes);
    reseal(f);
    f.resize(kHeaderBytes);
    return f;
}

} // namespace

TEST_CASE("an oversized length is refused without allocating for it", "[link][alloc]")
{
    for (const std::uint32_t announced : {kDefaultMaxPayloadBytes + 1, 0x7FFFFFFFu, 0xFFFFFFFFu}) {
        const auto header = headerAnnouncing(announced);
        Decoder d;
        gw::Result<void> r;
        const std::size_t largest = largestAllocation([&] { r = d.feed(header); });
        INFO("announced " << announced << " bytes, largest allocation " << largest << " bytes");
        REQUIRE_FALSE(r);
        CHECK(largest < 4096); // the error message, nothing sized by the header
    }
}

TEST_CASE("a large announced payload costs memory only as its bytes arrive", "[link][alloc]")
{
    const std::uint32_t announced = 60u * 1024u * 1024u; // within the default limit
    auto bytes = headerAnnouncing(announced);
    bytes.resize(bytes.size() + 100, 0x5A);
    Decoder d;
    const std::size_t largest = largestAllocation([&] { REQUIRE(d.feed(bytes)); });
    INFO("largest allocation " << largest << " bytes");
    CHECK(largest <= 64u * 1024u);
    CHECK_FALSE(d.nextFrame());
    CHECK_FALSE(d.atFrameBoundary());

    // Feeding 1 MiB more grows storage by doubling, never past what arrived by more than 2x.
    const std::vector<std::uint8_t> more(1024u * 1024u, 0x5A);
    const std::size_t grown = largestAllocation([&] { REQUIRE(d.feed(more)); });
    INFO("largest allocation after 1 MiB more " << grown << " bytes");
    CHECK(grown <= 2 * (more.size() + 100));
}
