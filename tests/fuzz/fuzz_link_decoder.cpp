// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the wire protocol: stream decoder, body decoders, and encode/decode agreement.
//
// Input: byte 0 picks the mode (low 2 bits) and a chunk size (high 6 bits); the rest depends on the mode:
//   mode 0  raw stream fed to a Decoder in chunks; decoded frames go through decodeMessage()
//   mode 1  [type][minor][body...]  straight into decodeBody(), past the CRCs a fuzzer cannot forge
//   mode 2  [type][split][payload...]  framed by encodeFrame(), fed in two parts, must come back intact
// Seeds: tests/fuzz/corpus/fuzz_link_decoder/, written by the hidden test
// `test_firmware_link_messages "[corpus]"`.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <gw/link/frame.h>
#include <gw/link/messages.h>

namespace {

using namespace gw::link;

// Our own invariants; a violation is a bug the fuzzer must report, hence a trap rather than an Error.
void require(bool condition)
{
    if (!condition)
        __builtin_trap();
}

// A message that decoded from a current-version body must re-encode to exactly that body (the encoding
// is canonical) and decode again to the same value.
void checkRoundTrip(const Message& message, std::span<const std::uint8_t> body)
{
    const auto again = encodeBody(message);
    require(again.has_value());
    require(std::equal(again->begin(), again->end(), body.begin(), body.end()));
    const auto back = decodeBody(messageType(message), *again);
    require(back.has_value() && *back == message);
}

void fuzzStream(std::span<const std::uint8_t> in, std::size_t chunk)
{
    auto decoder = Decoder::create({.maxPayloadBytes = 64u * 1024u});
    require(decoder.has_value());
    bool failed = false;
    while (!in.empty()) {
        const auto part = in.first(std::min(chunk, in.size()));
        in = in.subspan(part.size());
        const auto r = decoder->feed(part);
        require(!(failed && r.has_value())); // once failed, always failed
        failed = failed || !r.has_value();
        while (auto frame = decoder->nextFrame()) {
            require(frame->payload.size() <= decoder->maxPayloadBytes());
            const auto message = decodeMessage(*frame);
            if (message && frame->versionMinor == kVersionMinor)
                checkRoundTrip(*message, frame->payload);
        }
    }
    require(decoder->failed() == failed);
    (void)decoder->finish();
}

void fuzzBody(std::span<const std::uint8_t> in)
{
    if (in.size() < 2)
        return;
    const auto type = static_cast<MessageType>(in[0]);
    const std::uint8_t minor = in[1];
    const auto body = in.subspan(2);
    const auto message = decodeBody(type, body, minor);
    if (message && minor <= kVersionMinor)
        checkRoundTrip(*message, body);
}

void fuzzFramed(std::span<const std::uint8_t> in)
{
    if (in.size() < 2)
        return;
    const auto type = static_cast<MessageType>(in[0]);
    const auto payload = in.subspan(2);
    const auto frame = encodeFrame(type, 0xFFFFFFF0u + in[1], payload);
    require(frame.has_value() == isKnownMessageType(in[0]));
    if (!frame)
        return;
    const std::size_t split = frame->size() * in[1] / 255;
    Decoder decoder;
    require(decoder.feed(std::span<const std::uint8_t>(*frame).first(split)).has_value());
    require(decoder.feed(std::span<const std::uint8_t>(*frame).subspan(split)).has_value());
    require(decoder.finish().has_value());
    const auto out = decoder.nextFrame();
    require(out.has_value() && !decoder.nextFrame().has_value());
    require(out->type == type && out->sequence == 0xFFFFFFF0u + in[1]);
    require(std::equal(out->payload.begin(), out->payload.end(), payload.begin(), payload.end()));
    if (const auto message = decodeMessage(*out))
        checkRoundTrip(*message, payload);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::span<const std::uint8_t> in(data + 1, size - 1);
    const std::size_t chunk = static_cast<std::size_t>(data[0] >> 2) + 1;
    switch (data[0] & 3u) {
    case 0:
    case 3:
        fuzzStream(in, chunk);
        break;
    case 1:
        fuzzBody(in);
        break;
    case 2:
        fuzzFramed(in);
        break;
    }
    return 0;
}
