// SPDX-License-Identifier: Apache-2.0
// Scanner side of the USB link on Linux FunctionFS: descriptors to ep0, ep0 events, bulk I/O through AIO.
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <endian.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <thread>
#include <unistd.h>

#include <linux/aio_abi.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <gw/link/usb.h>

#include "socket_util.h"

namespace gw::link::usb {

using detail::Clock;
using detail::UniqueFd;

namespace {

constexpr std::size_t kEventBytes = sizeof(usb_functionfs_event); // 12
constexpr std::size_t kReadChunkBytes = 16 * 1024;   ///< a multiple of every max packet size (64/512/1024)
constexpr std::size_t kWriteChunkBytes = 256 * 1024; ///< per AIO write; the UDC splits it into packets
/// Host bytes kept for receive() while a read stays queued. The host sends little (HELLO, ACKs, HEARTBEAT);
/// past this the device stops reading and the host waits (flow control) instead of memory growing.
constexpr std::size_t kInboxLimitBytes = 1024 * 1024;
constexpr std::size_t kFullSpeedPacketBytes = 64; ///< divides every speed's bulk max packet size

Result<void> writeAll(int fd, const std::vector<std::uint8_t>& bytes, const char* what)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(Errc::Io, std::string("FunctionFS: writing the ") + what +
                                      " to ep0 failed: " + detail::errnoText(errno));
        done += static_cast<std::size_t>(n);
    }
    return {};
}

void setNonblocking(int fd)
{
    const int flags = ::fcntl(fd, F_GETFL, 0);
    if (flags >= 0)
        (void)::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

long ioSetup(unsigned n, aio_context_t* ctx)
{
    return ::syscall(SYS_io_setup, n, ctx);
}
long ioDestroy(aio_context_t ctx)
{
    return ::syscall(SYS_io_destroy, ctx);
}
long ioSubmit(aio_context_t ctx, long n, iocb** cbs)
{
    return ::syscall(SYS_io_submit, ctx, n, cbs);
}
long ioCancel(aio_context_t ctx, iocb* cb, io_event* result)
{
    return ::syscall(SYS_io_cancel, ctx, cb, result);
}
long ioGetEvents(aio_context_t ctx, long minN, long maxN, io_event* events, timespec* timeout)
{
    return ::syscall(SYS_io_getevents, ctx, minN, maxN, events, timeout);
}

} // namespace

struct FunctionFsDialer::Impl {
    UniqueFd ep0;
    UniqueFd epIn;  ///< bulk IN: device -> host
    UniqueFd epOut; ///< bulk OUT: host -> device
    bool standIn = false;
    std::string where;

    // ep0 state; one thread at a time (the session client's) uses the dialer and its connection.
    std::vector<std::uint8_t> ep0Buffer; ///< events read but not yet handled, oldest first
    bool enabled = false;
    bool sessionRequested = false;
    std::uint64_t epoch = 1; ///< bumped whenever the current connection must end

    // The acknowledgement (status stage) of a session request runs on its own thread. FunctionFS completes
    // it only with the control transfer; a host that gave up on the transfer leaves it waiting until its
    // next control request or a disconnect, and the link thread must stay free to stop meanwhile. While it
    // runs, ep0 is the acknowledgement's: any other read of ep0 would itself become the status stage.
    std::thread acknowledger;
    UniqueFd acknowledged;                ///< eventfd, readable once the acknowledgement ended
    std::atomic<int> acknowledgeError{0}; ///< its errno, 0 when the host took it
    bool acknowledging = false;

    // AIO (real endpoints only).
    aio_context_t aio = 0;
    UniqueFd eventFd;
    iocb readCb{};
    iocb writeCb{};
    bool readPending = false;
    bool writePending = false;
    long writeResult = 0;
    bool writeDone = false;
    bool readDiscard = false;  ///< a cancelled read whose completion is still to come: ignore it
    bool writeDiscard = false; ///< likewise for a cancelled write
    std::vector<std::uint8_t> readBuffer = std::vector<std::uint8_t>(kReadChunkBytes);
    /// Completed reads not yet handed out by receive(). A read is queued again as soon as one completes,
    /// also while send() waits: USB has no buffer, so a device that reads only between its writes and a
    /// host that writes an ACK before it reads on both block until a timeout (found by the USB VM test).
    std::vector<std::uint8_t> inbox;
    std::size_t inboxTaken = 0;
    long readError = 0;
    std::vector<std::uint8_t> writeBuffer;
    /// Bulk IN max packet size at the speed of the current connection.
    std::size_t inPacketBytes = kFullSpeedPacketBytes;

    ~Impl()
    {
        if (acknowledger.joinable()) {
            // Still waiting for a host that gave up: read() is a cancellation point and FunctionFS waits
            // interruptibly, so the kernel dequeues the status stage and ep0 can be closed below.
            if (acknowledging)
                (void)::pthread_cancel(acknowledger.native_handle());
            acknowledger.join();
        }
        if (aio != 0)
            (void)ioDestroy(aio); // cancels and waits for anything still queued on the endpoints
    }

    /// What to poll for ep0 events: the acknowledgement's eventfd while it runs (ep0 is not ours then).
    [[nodiscard]] int ep0WaitFd() const noexcept { return acknowledging ? acknowledged.get() : ep0.get(); }

    /// Acknowledges the session request just read, on its own thread (see `acknowledger`).
    void startAcknowledgement()
    {
        if (acknowledger.joinable())
            acknowledger.join(); // the previous one has ended (ep0 events are read only after it)
        acknowledging = true;
        acknowledgeError = 0;
        const int fd = ep0.get();
        acknowledger = std::thread([this, fd] {
            ssize_t n = -1;
            int error = 0;
            for (;;) {
                n = ::read(fd, nullptr, 0); // the status stage; the only cancellation point here
                error = n < 0 ? errno : 0;
                // ep0 is nonblocking, which covers only its lock: nobody else holds it for long.
                if (n >= 0 || (error != EAGAIN && error != EINTR))
                    break;
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            int ignored = 0;
            (void)::pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
            acknowledgeError = n == 0 ? 0 : (n < 0 ? error : EPROTO);
            const std::uint64_t one = 1;
            (void)::write(acknowledged.get(), &one, sizeof one);
        });
    }

    /// True once no acknowledgement runs (reaping an ended one: its session starts if the host took it).
    bool acknowledgementDone()
    {
        if (!acknowledging)
            return true;
        std::uint64_t count = 0;
        if (::read(acknowledged.get(), &count, sizeof count) != static_cast<ssize_t>(sizeof count))
            return false;
        acknowledger.join();
        acknowledging = false;
        // It fails when the host gave up waiting (its control timeout) or sent a newer request: then this
        // request starts no session, and the host asks again.
        sessionRequested = acknowledgeError.load() == 0;
        return true;
    }

    /// Reads and handles every ep0 event available now, in order; stops at a session request until its
    /// acknowledgement has ended.
    Result<void> drainEp0()
    {
        std::array<std::uint8_t, kEventBytes * 4> buffer{};
        for (;;) {
            if (!acknowledgementDone())
                return {};
            while (ep0Buffer.size() >= kEventBytes && !acknowledging) {
                std::array<std::uint8_t, kEventBytes> event{};
                std::copy_n(ep0Buffer.begin(), kEventBytes, event.begin());
                ep0Buffer.erase(ep0Buffer.begin(), ep0Buffer.begin() + kEventBytes);
                handleEvent(event.data());
            }
            if (acknowledging)
                continue; // the events after the request wait until it is acknowledged
            const ssize_t n = ::read(ep0.get(), buffer.data(), buffer.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    return {};
                if (errno == EIDRM)
                    continue; // a control request the host replaced by a newer one: that one follows
                return fail(Errc::LinkLost, "FunctionFS ep0 read failed: " + detail::errnoText(errno));
            }
            if (n == 0)
                return fail(Errc::LinkLost, "FunctionFS ep0 closed");
            ep0Buffer.insert(ep0Buffer.end(), buffer.begin(), buffer.begin() + n);
        }
    }

    void handleEvent(const std::uint8_t* event)
    {
        // Layout (struct usb_functionfs_event): usb_ctrlrequest (8 bytes), type (1), padding (3).
        switch (event[8]) {
        case FUNCTIONFS_ENABLE:
            // Also on SET_INTERFACE, which the host sends before each session: the kernel has reset the
            // endpoints and flushed their requests, so the stream of the current connection is broken.
            enabled = true;
            sessionRequested = false;
            ++epoch;
            break;
        case FUNCTIONFS_DISABLE:
        case FUNCTIONFS_UNBIND:
            enabled = false;
            sessionRequested = false;
            ++epoch;
            break;
        case FUNCTIONFS_SETUP: {
            const std::uint8_t requestType = event[0];
            const std::uint8_t request = event[1];
            const std::uint16_t length = static_cast<std::uint16_t>(event[6] | event[7] << 8);
            const bool in = (requestType & USB_DIR_IN) != 0;
            if (!in && (requestType & USB_TYPE_MASK) == USB_TYPE_VENDOR &&
                (requestType & USB_RECIP_MASK) == USB_RECIP_INTERFACE && request == kRequestStartSession &&
                length == 0) {
                // The old stream is over (the host asks only when it opens the device) and its queued I/O
                // goes before the acknowledgement: once acknowledged the host reads at once and must not
                // find the rest of an old frame. Dequeueing is synchronous in the UDC; what already sits in
                // the endpoint's FIFO the host's SET_INTERFACE before this request has flushed.
                dropQueuedIo();
                ++epoch;
                sessionRequested = false;
                startAcknowledgement();
            } else if (in) {
                (void)::read(ep0.get(), nullptr, 0); // I/O against the direction stalls the request
            } else {
                (void)::write(ep0.get(), nullptr, 0);
            }
            break;
        }
        default: // BIND, SUSPEND, RESUME: nothing to do
            break;
        }
    }

    /// Handles completed AIO requests of the endpoints.
    void reapAio()
    {
        std::uint64_t count = 0;
        (void)::read(eventFd.get(), &count, sizeof count);
        std::array<io_event, 4> events{};
        timespec zero{0, 0};
        const long n = ioGetEvents(aio, 0, static_cast<long>(events.size()), events.data(), &zero);
        for (long i = 0; i < n; ++i) {
            const io_event& e = events[static_cast<std::size_t>(i)];
            if (e.obj == reinterpret_cast<std::uint64_t>(&readCb)) {
                readPending = false;
                if (std::exchange(readDiscard, false))
                    continue;
                if (e.res > 0) {
                    inbox.insert(inbox.end(), readBuffer.begin(),
                                 readBuffer.begin() + static_cast<std::ptrdiff_t>(e.res));
                } else {
                    readError = e.res == 0 ? -ESHUTDOWN : static_cast<long>(e.res);
                }
            } else if (e.obj == reinterpret_cast<std::uint64_t>(&writeCb)) {
                writePending = false;
                if (std::exchange(writeDiscard, false))
                    continue;
                writeDone = true;
                writeResult = static_cast<long>(e.res);
            }
        }
    }

    Result<void> submit(iocb& cb, int fd, std::uint16_t opcode, void* data, std::size_t bytes)
    {
        cb = iocb{};
        cb.aio_fildes = static_cast<std::uint32_t>(fd);
        cb.aio_lio_opcode = opcode;
        cb.aio_buf = reinterpret_cast<std::uint64_t>(data);
        cb.aio_nbytes = bytes;
        cb.aio_flags = IOCB_FLAG_RESFD;
        cb.aio_resfd = static_cast<std::uint32_t>(eventFd.get());
        iocb* list[1] = {&cb};
        if (ioSubmit(aio, 1, list) == 1)
            return {};
        // The endpoint files are nonblocking: a disabled endpoint (cable out) fails at once with EAGAIN
        // instead of blocking io_submit until the host enables the function again.
        if (errno == EAGAIN)
            return fail(Errc::LinkLost, "FunctionFS: the endpoint is not enabled (host gone)");
        return fail(Errc::LinkLost, "FunctionFS: io_submit failed: " + detail::errnoText(errno));
    }

    /// Cancels a queued request. When the kernel completes it later instead (usual for USB requests being
    /// dequeued), its completion is discarded by reapAio().
    void cancel(iocb& cb, bool& pending, bool& discard)
    {
        if (!pending || discard)
            return;
        io_event result{};
        if (ioCancel(aio, &cb, &result) == 0)
            pending = false;
        else
            discard = true; // usually EINPROGRESS: the completion still comes through the ring
    }

    /// Cancels the endpoints' queued I/O and forgets what was read: it belongs to an ended stream.
    void dropQueuedIo()
    {
        if (!standIn) {
            cancel(writeCb, writePending, writeDiscard);
            cancel(readCb, readPending, readDiscard);
        }
        inbox.clear();
        inboxTaken = 0;
    }

    /// Keeps one read queued on bulk OUT while the inbox has room.
    Result<void> armRead()
    {
        if (readPending || readError != 0 || inbox.size() - inboxTaken >= kInboxLimitBytes)
            return {};
        inbox.erase(inbox.begin(), inbox.begin() + static_cast<std::ptrdiff_t>(inboxTaken)); // handed out
        inboxTaken = 0;
        if (auto ok = submit(readCb, epOut.get(), IOCB_CMD_PREAD, readBuffer.data(), readBuffer.size()); !ok)
            return ok;
        readPending = true;
        return {};
    }
};

namespace {

class FunctionFsConnection final : public Connection {
public:
    FunctionFsConnection(std::shared_ptr<FunctionFsDialer::Impl> impl)
        : impl_(std::move(impl)), epoch_(impl_->epoch)
    {
        peer_.transport = "usb";
        peer_.address = impl_->where;
    }
    ~FunctionFsConnection() override { close(); }
    FunctionFsConnection(const FunctionFsConnection&) = delete;
    FunctionFsConnection& operator=(const FunctionFsConnection&) = delete;

    Result<void> handshake(std::chrono::milliseconds) override { return alive(); }

    Result<void> send(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) override
    {
        const auto deadline = Clock::now() + timeout;
        std::size_t done = 0;
        bool started = false; // a write of this frame was queued: bytes may have left
        // Says whether a frame was cut: the host then holds part of it until the session ends.
        const auto cut = [&](const Error& e) -> Result<void> {
            if (!started)
                return std::unexpected(e);
            return fail(e.code(), e.message() + " (a " + std::to_string(bytes.size()) +
                                      "-byte frame cut in transfer, " + std::to_string(done) +
                                      " bytes confirmed)");
        };
        while (done < bytes.size()) {
            if (auto ok = alive(); !ok)
                return cut(ok.error());
            if (impl_->standIn) {
                const ssize_t n = ::write(impl_->epIn.get(), bytes.data() + done, bytes.size() - done);
                if (n > 0) {
                    done += static_cast<std::size_t>(n);
                    continue;
                }
                if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                    return lost("bulk IN write failed: " + detail::errnoText(errno));
                auto waited = waitFor(impl_->epIn.get(), POLLOUT, deadline);
                if (!waited)
                    return std::unexpected(waited.error());
                if (!*waited)
                    return lost("bulk IN write timed out (host not reading)", Errc::Timeout);
                continue;
            }
            auto written = writeChunk(bytes.subspan(done, std::min(bytes.size() - done, kWriteChunkBytes)),
                                      deadline, started);
            if (!written)
                return cut(written.error());
            done += *written;
        }
        // A bulk transfer ends with a short packet. Bytes that fill their last packet exactly need a
        // zero-length one, or the host's read stays open until more arrives.
        if (!impl_->standIn && !bytes.empty() && bytes.size() % impl_->inPacketBytes == 0) {
            if (auto ok = alive(); !ok)
                return ok;
            if (auto zlp = writeChunk({}, deadline, started); !zlp)
                return std::unexpected(zlp.error());
        }
        return {};
    }

    Result<std::size_t> receive(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override
    {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            if (auto ok = alive(); !ok)
                return std::unexpected(ok.error());
            if (impl_->standIn) {
                const ssize_t n = ::read(impl_->epOut.get(), buffer.data(), buffer.size());
                if (n > 0)
                    return static_cast<std::size_t>(n);
                if (n == 0)
                    return std::unexpected(lost("bulk OUT endpoint closed").error());
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                    return std::unexpected(lost("bulk OUT read failed: " + detail::errnoText(errno)).error());
                auto waited = waitFor(impl_->epOut.get(), POLLIN, deadline);
                if (!waited)
                    return std::unexpected(waited.error());
                if (!*waited)
                    return std::size_t{0};
                continue;
            }
            if (impl_->inboxTaken < impl_->inbox.size()) {
                const std::size_t n = std::min(buffer.size(), impl_->inbox.size() - impl_->inboxTaken);
                std::memcpy(buffer.data(), impl_->inbox.data() + impl_->inboxTaken, n);
                impl_->inboxTaken += n;
                return n;
            }
            if (impl_->readError != 0) {
                const long error = std::exchange(impl_->readError, 0);
                return std::unexpected(
                    lost("bulk OUT read failed: " + detail::errnoText(static_cast<int>(-error))).error());
            }
            // The read stays queued across calls: bytes the host sends are never lost to a timeout.
            auto waited = waitAio(deadline);
            if (!waited)
                return std::unexpected(waited.error());
            if (!*waited)
                return std::size_t{0};
        }
    }

    void close() noexcept override
    {
        if (closed_)
            return;
        closed_ = true;
        // The endpoints' I/O is shared with any newer connection: only the current one may drop it (an
        // ended one's I/O is dropped when the next session starts).
        if (impl_->epoch == epoch_)
            impl_->dropQueuedIo();
    }

    [[nodiscard]] const PeerIdentity& peer() const noexcept override { return peer_; }

private:
    Result<void> alive()
    {
        if (closed_)
            return fail(Errc::LinkLost, "USB connection is closed");
        if (auto ok = impl_->drainEp0(); !ok)
            return lost(ok.error().message());
        if (!impl_->enabled)
            return lost("the host disabled the USB function");
        if (impl_->epoch != epoch_)
            return lost("the host started a new USB session");
        return {};
    }

    Result<void> lost(const std::string& why, Errc code = Errc::LinkLost)
    {
        close();
        return fail(code, "USB " + peer_.address + ": " + why);
    }

    /// One AIO write on bulk IN (empty: a zero-length packet); the bytes the endpoint took.
    /// @p started turns true once the write is queued.
    Result<std::size_t> writeChunk(std::span<const std::uint8_t> chunk, Clock::time_point deadline,
                                   bool& started)
    {
        while (impl_->writePending) { // a cancelled write of an earlier connection still completing
            auto waited = waitAio(deadline);
            if (!waited)
                return std::unexpected(waited.error());
            if (!*waited)
                return std::unexpected(lost("bulk IN endpoint still busy", Errc::Timeout).error());
        }
        impl_->writeBuffer.assign(chunk.begin(), chunk.end());
        impl_->writeDone = false;
        if (auto ok = impl_->submit(impl_->writeCb, impl_->epIn.get(), IOCB_CMD_PWRITE,
                                    impl_->writeBuffer.data(), chunk.size());
            !ok)
            return std::unexpected(lost(ok.error().message()).error());
        impl_->writePending = true;
        started = true;
        while (!impl_->writeDone) {
            auto waited = waitAio(deadline);
            if (!waited || !*waited) {
                impl_->cancel(impl_->writeCb, impl_->writePending, impl_->writeDiscard);
                if (!waited)
                    return std::unexpected(waited.error());
                return std::unexpected(
                    lost("bulk IN write timed out (host not reading)", Errc::Timeout).error());
            }
        }
        if (impl_->writeResult < 0 || (impl_->writeResult == 0 && !chunk.empty()))
            return std::unexpected(
                lost("bulk IN write failed: " + detail::errnoText(static_cast<int>(-impl_->writeResult)))
                    .error());
        return static_cast<std::size_t>(impl_->writeResult);
    }

    /// Waits for an AIO completion (and reaps it) with a read queued on bulk OUT, so that the host's
    /// writes are taken while this side writes; false at the deadline.
    Result<bool> waitAio(Clock::time_point deadline)
    {
        if (auto armed = impl_->armRead(); !armed)
            return std::unexpected(lost(armed.error().message()).error());
        auto waited = waitFor(impl_->eventFd.get(), POLLIN, deadline);
        if (waited && *waited)
            impl_->reapAio();
        return waited;
    }

    /// Waits for @p events on @p fd while watching ep0; an ep0 event that ends the session wins.
    Result<bool> waitFor(int fd, short events, Clock::time_point deadline)
    {
        for (;;) {
            std::array<pollfd, 2> fds{{{fd, events, 0}, {impl_->ep0WaitFd(), POLLIN, 0}}};
            const int rc = ::poll(fds.data(), fds.size(), detail::millisecondsLeft(deadline));
            if (rc < 0 && errno == EINTR)
                continue;
            if (rc < 0)
                return std::unexpected(lost("poll failed: " + detail::errnoText(errno)).error());
            if (rc == 0)
                return false;
            if (fds[1].revents != 0)
                if (auto ok = alive(); !ok)
                    return std::unexpected(ok.error());
            if (fds[0].revents != 0)
                return true;
        }
    }

    std::shared_ptr<FunctionFsDialer::Impl> impl_;
    std::uint64_t epoch_;
    bool closed_ = false;
    PeerIdentity peer_;
};

Result<std::shared_ptr<FunctionFsDialer::Impl>> prepare(UniqueFd ep0, const std::string& interfaceName)
{
    auto strings = functionFsStrings(interfaceName);
    if (!strings)
        return std::unexpected(strings.error());
    if (auto ok = writeAll(ep0.get(), functionFsDescriptors(), "descriptors"); !ok)
        return std::unexpected(ok.error());
    if (auto ok = writeAll(ep0.get(), *strings, "strings"); !ok)
        return std::unexpected(ok.error());
    setNonblocking(ep0.get());
    auto impl = std::make_shared<FunctionFsDialer::Impl>();
    impl->ep0 = std::move(ep0);
    impl->acknowledged = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!impl->acknowledged.valid())
        return fail(Errc::Io, "FunctionFS: cannot make an eventfd: " + detail::errnoText(errno));
    return impl;
}

} // namespace

FunctionFsDialer::FunctionFsDialer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
FunctionFsDialer::~FunctionFsDialer() = default;

Result<std::unique_ptr<FunctionFsDialer>> FunctionFsDialer::create(const FunctionFsOptions& options)
{
    const auto open = [&](const char* name, int flags) -> Result<UniqueFd> {
        const auto path = options.mountPoint / name;
        UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
        if (!fd.valid())
            return fail(Errc::Io,
                        "FunctionFS: cannot open " + path.string() + ": " + detail::errnoText(errno));
        return fd;
    };
    auto ep0 = open("ep0", O_RDWR);
    if (!ep0)
        return std::unexpected(ep0.error());
    auto impl = prepare(std::move(*ep0), options.interfaceName);
    if (!impl)
        return std::unexpected(impl.error());
    // The endpoint files appear once the descriptors are written.
    // Nonblocking: AIO on a disabled endpoint then fails at once (see Impl::submit).
    auto epIn = open("ep1", O_RDWR | O_NONBLOCK);
    auto epOut = open("ep2", O_RDWR | O_NONBLOCK);
    if (!epIn || !epOut)
        return std::unexpected(!epIn ? epIn.error() : epOut.error());
    (*impl)->epIn = std::move(*epIn);
    (*impl)->epOut = std::move(*epOut);
    (*impl)->eventFd = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!(*impl)->eventFd.valid() || ioSetup(4, &(*impl)->aio) != 0)
        return fail(Errc::Io, "FunctionFS: cannot set up AIO: " + detail::errnoText(errno));
    (*impl)->where = "usb-ffs:" + options.mountPoint.string();
    return std::unique_ptr<FunctionFsDialer>(new FunctionFsDialer(std::move(*impl)));
}

Result<std::unique_ptr<FunctionFsDialer>> FunctionFsDialer::createStandIn(int ep0Fd, int inFd, int outFd,
                                                                          const std::string& interfaceName)
{
    UniqueFd ep0(ep0Fd), epIn(inFd), epOut(outFd);
    auto impl = prepare(std::move(ep0), interfaceName);
    if (!impl)
        return std::unexpected(impl.error());
    setNonblocking(epIn.get());
    setNonblocking(epOut.get());
    (*impl)->epIn = std::move(epIn);
    (*impl)->epOut = std::move(epOut);
    (*impl)->standIn = true;
    (*impl)->where = "usb-ffs:stand-in";
    return std::unique_ptr<FunctionFsDialer>(new FunctionFsDialer(std::move(*impl)));
}

Result<std::unique_ptr<Connection>> FunctionFsDialer::dial(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto ok = impl_->drainEp0(); !ok)
            return std::unexpected(ok.error());
        if (impl_->enabled && impl_->sessionRequested) {
            impl_->sessionRequested = false;
            // I/O still queued from the previous connection belongs to the old stream: drop it.
            impl_->dropQueuedIo();
            if (impl_->standIn) {
                // The kernel flushes endpoint queues on DISABLE and re-enumeration; the stand-in must too.
                std::array<std::uint8_t, 4096> stale{};
                for (int i = 0; i < 4096 && ::read(impl_->epOut.get(), stale.data(), stale.size()) > 0; ++i) {
                }
            }
            impl_->readError = 0;
            if (!impl_->standIn) {
                // The descriptor of the speed the host connected at (64, 512 or 1024 bytes per packet);
                // failing that, 64 divides them all (a zero-length packet the host did not need is an
                // empty read there, but it holds send() until the host reads again).
                usb_endpoint_descriptor descriptor{};
                const int packet = ::ioctl(impl_->epIn.get(), FUNCTIONFS_ENDPOINT_DESC, &descriptor) == 0
                                       ? le16toh(descriptor.wMaxPacketSize) & 0x7FF
                                       : 0;
                impl_->inPacketBytes = packet > 0 ? static_cast<std::size_t>(packet) : kFullSpeedPacketBytes;
            }
            auto connection = std::make_unique<FunctionFsConnection>(impl_);
            // A read is queued from the start, so the host may write first (failing here, it fails again on
            // the connection's first call, which reports it).
            if (!impl_->standIn)
                (void)impl_->armRead();
            return std::unique_ptr<Connection>(std::move(connection));
        }
        auto ready = detail::waitFd(impl_->ep0WaitFd(), POLLIN, deadline);
        if (!ready)
            return std::unexpected(ready.error());
        if (!*ready)
            return fail(Errc::Timeout, impl_->acknowledging
                                           ? "USB: the host has not completed its session request"
                                       : impl_->enabled ? "USB: the host has not started a session"
                                                        : "USB: the host has not enabled the function");
    }
}

std::string FunctionFsDialer::describe() const
{
    return impl_->where;
}

} // namespace gw::link::usb
