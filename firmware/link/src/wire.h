// SPDX-License-Identifier: Apache-2.0
// Internal: big-endian field writer and bounds-checked reader for frame headers and message bodies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gw/common/result.h>

namespace gw::link::detail {

/// Stores @p v big-endian at @p out[0..3].
void storeU32(std::uint8_t* out, std::uint32_t v) noexcept;
/// Reads a big-endian u32 from @p in[0..3].
[[nodiscard]] std::uint32_t loadU32(const std::uint8_t* in) noexcept;

/// "0x" and @p digits upper-case hex digits of @p v, e.g. hex(0xCBF43926, 8) == "0xCBF43926".
[[nodiscard]] std::string hex(std::uint32_t v, int digits);

/// True when @p bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF).
[[nodiscard]] bool isValidUtf8(std::span<const std::uint8_t> bytes) noexcept;
/// True when @p s is 1+ bytes of printable ASCII without space (0x21..0x7E), e.g. ids and versions.
[[nodiscard]] bool isToken(std::string_view s) noexcept;

/// Turns @p frame, which holds kHeaderBytes placeholder bytes followed by the payload, into a complete
/// frame: writes the header (with its CRC) and appends the trailer. Errc::InvalidArgument for an unknown
/// type, unknown flags or a payload over @p maxPayloadBytes.
[[nodiscard]] Result<void> sealFrame(std::vector<std::uint8_t>& frame, std::uint8_t type,
                                     std::uint32_t sequence, std::uint8_t flags,
                                     std::uint32_t maxPayloadBytes);

/// Appends big-endian fields to a byte vector.
class Writer {
public:
    explicit Writer(std::vector<std::uint8_t>& out) : out_(out) {}

    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v);
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void text(std::string_view s);

private:
    std::vector<std::uint8_t>& out_;
};

/// Reads big-endian fields from a body. Every read checks the bytes left first. The reader is sticky:
/// after the first error every read returns zero / empty and the error is kept, so a decoder reads a
/// whole body straight through and checks ok() where a value is about to be trusted. Errors name the
/// message, the field and its offset.
class Reader {
public:
    Reader(std::span<const std::uint8_t> in, std::string_view message) : in_(in), message_(message) {}

    std::uint8_t u8(std::string_view field);
    std::uint16_t u16(std::string_view field);
    std::uint32_t u32(std::string_view field);
    std::uint64_t u64(std::string_view field);
    /// @p n bytes as a view into the body (no copy); empty after an error.
    std::span<const std::uint8_t> bytes(std::size_t n, std::string_view field);
    /// @p n bytes as a string.
    std::string text(std::size_t n, std::string_view field);

    /// Records "<MESSAGE> body, field '<field>' at offset N: <what>" unless an error is already kept;
    /// N is the current offset.
    void fail(Errc code, std::string_view field, std::string_view what) { failAt(code, field, pos_, what); }
    /// The same for a field that started at @p offset (a value judged after it was read).
    void failAt(Errc code, std::string_view field, std::size_t offset, std::string_view what);

    [[nodiscard]] bool ok() const noexcept { return !error_; }
    [[nodiscard]] const std::optional<Error>& error() const noexcept { return error_; }
    [[nodiscard]] std::size_t offset() const noexcept { return pos_; }
    [[nodiscard]] std::size_t remaining() const noexcept { return in_.size() - pos_; }

private:
    std::span<const std::uint8_t> in_;
    std::string_view message_;
    std::size_t pos_ = 0;
    std::optional<Error> error_;
};

} // namespace gw::link::detail
