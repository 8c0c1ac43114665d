// SPDX-License-Identifier: Apache-2.0
// TLS 1.3 with mutual authentication over nonblocking TCP sockets (OpenSSL 3), every wait bounded by poll().
#include <array>
#include <cerrno>
#include <mutex>
#include <poll.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <gw/link/tls.h>

#include "socket_util.h"

namespace gw::link {
namespace {

using detail::Clock;
using detail::UniqueFd;

struct SslCtxDeleter {
    void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
struct SslDeleter {
    void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

/// Drains this thread's OpenSSL error queue into one line ("" when empty).
std::string opensslErrors()
{
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        std::array<char, 256> buffer{};
        ERR_error_string_n(code, buffer.data(), buffer.size());
        if (!text.empty())
            text += "; ";
        text += buffer.data();
    }
    return text;
}

// OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when the peer has gone; a library must
// not kill its process or change the process's signal handling, so this BIO uses send(MSG_NOSIGNAL).
int bioWrite(BIO* bio, const char* data, std::size_t length, std::size_t* written)
{
    const int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
    BIO_clear_retry_flags(bio);
    for (;;) {
        const ssize_t n = ::send(fd, data, length, MSG_NOSIGNAL);
        if (n >= 0) {
            *written = static_cast<std::size_t>(n);
            return 1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_write(bio);
        return 0;
    }
}

int bioRead(BIO* bio, char* data, std::size_t length, std::size_t* readBytes)
{
    const int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
    BIO_clear_retry_flags(bio);
    for (;;) {
        const ssize_t n = ::recv(fd, data, length, 0);
        if (n > 0) {
            *readBytes = static_cast<std::size_t>(n);
            return 1;
        }
        if (n == 0) {
            *readBytes = 0;
            return 0; // end of stream, not retryable
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            BIO_set_retry_read(bio);
        return 0;
    }
}

long bioCtrl(BIO*, int cmd, long, void*)
{
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int bioCreate(BIO* bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

int bioDestroy(BIO*)
{
    return 1; // the socket belongs to the connection object
}

BIO_METHOD* socketBioMethod()
{
    static BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "gw-nosignal-socket");
        if (m != nullptr) {
            BIO_meth_set_write_ex(m, bioWrite);
            BIO_meth_set_read_ex(m, bioRead);
            BIO_meth_set_ctrl(m, bioCtrl);
            BIO_meth_set_create(m, bioCreate);
            BIO_meth_set_destroy(m, bioDestroy);
        }
        return m;
    }();
    return method;
}

bool isIpLiteral(const std::string& name)
{
    std::array<unsigned char, sizeof(in6_addr)> buffer{};
    return ::inet_pton(AF_INET, name.c_str(), buffer.data()) == 1 ||
           ::inet_pton(AF_INET6, name.c_str(), buffer.data()) == 1;
}

bool isDeviceIdToken(const std::string& s)
{
    if (s.empty() || s.size() > 64)
        return false;
    for (const char c : s)
        if (c < 0x21 || c > 0x7E)
            return false;
    return true;
}

/// The CN of @p cert as UTF-8, or "" when absent or not convertible.
std::string commonName(X509* cert)
{
    X509_NAME* subject = X509_get_subject_name(cert);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index < 0)
        return {};
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0 || utf8 == nullptr)
        return {};
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return cn;
}

Result<SslCtxPtr> makeContext(bool server, const TlsCredentials& credentials)
{
    ERR_clear_error();
    SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    if (!ctx)
        return fail(Errc::Internal, "SSL_CTX_new failed: " + opensslErrors());
    if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION) != 1)
        return fail(Errc::Internal, "cannot restrict the context to TLS 1.3: " + opensslErrors());
    const auto fileError = [](const char* what, const std::filesystem::path& path) {
        return fail(Errc::InvalidArgument,
                    std::string("TLS ") + what + " '" + path.string() + "' unusable: " + opensslErrors());
    };
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), credentials.certFile.c_str()) != 1)
        return fileError("certificate", credentials.certFile);
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), credentials.keyFile.c_str(), SSL_FILETYPE_PEM) != 1)
        return fileError("private key", credentials.keyFile);
    if (SSL_CTX_check_private_key(ctx.get()) != 1)
        return fileError("private key (does not match the certificate)", credentials.keyFile);
    if (SSL_CTX_load_verify_locations(ctx.get(), credentials.caFile.c_str(), nullptr) != 1)
        return fileError("CA file", credentials.caFile);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE);
    if (server) {
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(credentials.caFile.c_str());
        if (names != nullptr)
            SSL_CTX_set_client_CA_list(ctx.get(), names);
        // Every connection authenticates in full: no tickets, no session cache.
        SSL_CTX_set_num_tickets(ctx.get(), 0);
        SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    } else {
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    }
    return ctx;
}

class TlsConnection final : public Connection {
public:
    TlsConnection(SslPtr ssl, UniqueFd fd, bool server, std::string address)
        : ssl_(std::move(ssl)), fd_(std::move(fd)), server_(server)
    {
        peer_.transport = "tls";
        peer_.address = std::move(address);
    }
    ~TlsConnection() override { close(); }
    TlsConnection(const TlsConnection&) = delete;
    TlsConnection& operator=(const TlsConnection&) = delete;

    Result<void> handshake(std::chrono::milliseconds timeout) override
    {
        if (!ssl_)
            return fail(Errc::LinkLost, "TLS connection is closed");
        if (handshaken_)
            return {};
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            ERR_clear_error();
            const int rc = server_ ? SSL_accept(ssl_.get()) : SSL_connect(ssl_.get());
            if (rc == 1)
                break;
            const int error = SSL_get_error(ssl_.get(), rc);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                auto ready =
                    detail::waitFd(fd_.get(), error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                if (!ready)
                    return breakWith(ready.error());
                if (!*ready)
                    return breakWith(Error(Errc::Timeout, "TLS handshake with " + peer_.address +
                                                              " did not finish within " +
                                                              std::to_string(timeout.count()) + " ms"));
                continue;
            }
            return breakWith(Error(Errc::LinkLost,
                                   "TLS handshake with " + peer_.address + " failed: " + failureText(error)));
        }
        if (server_) {
            X509* cert = SSL_get0_peer_certificate(ssl_.get());
            if (cert == nullptr || SSL_get_verify_result(ssl_.get()) != X509_V_OK)
                return breakWith(
                    Error(Errc::LinkLost, "TLS client " + peer_.address + " has no verified certificate"));
            std::string cn = commonName(cert);
            if (!isDeviceIdToken(cn))
                return breakWith(Error(Errc::LinkLost, "TLS client " + peer_.address +
                                                           ": certificate CN is not a device id token"));
            peer_.certifiedDeviceId = std::move(cn);
        }
        handshaken_ = true;
        return {};
    }

    Result<void> send(std::span<const std::uint8_t> bytes, std::chrono::milliseconds timeout) override
    {
        if (auto ok = ready(); !ok)
            return ok;
        const auto deadline = Clock::now() + timeout;
        std::size_t done = 0;
        while (done < bytes.size()) {
            ERR_clear_error();
            std::size_t written = 0;
            const int rc = SSL_write_ex(ssl_.get(), bytes.data() + done, bytes.size() - done, &written);
            if (rc == 1) {
                done += written;
                continue;
            }
            const int error = SSL_get_error(ssl_.get(), rc);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                auto readyFd =
                    detail::waitFd(fd_.get(), error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                if (!readyFd)
                    return breakWith(readyFd.error());
                if (!*readyFd)
                    return breakWith(Error(Errc::Timeout, "TLS send to " + peer_.address +
                                                              " timed out after " +
                                                              std::to_string(timeout.count()) + " ms"));
                continue;
            }
            return breakWith(
                Error(Errc::LinkLost, "TLS send to " + peer_.address + " failed: " + failureText(error)));
        }
        return {};
    }

    Result<std::size_t> receive(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override
    {
        if (auto ok = ready(); !ok)
            return std::unexpected(ok.error());
        if (buffer.empty())
            return std::size_t{0};
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            ERR_clear_error();
            std::size_t got = 0;
            const int rc = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &got);
            if (rc == 1)
                return got;
            const int error = SSL_get_error(ssl_.get(), rc);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                auto readyFd =
                    detail::waitFd(fd_.get(), error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                if (!readyFd)
                    return std::unexpected(breakWith(readyFd.error()).error());
                if (!*readyFd)
                    return std::size_t{0};
                continue;
            }
            if (error == SSL_ERROR_ZERO_RETURN) {
                return std::unexpected(
                    breakWith(Error(Errc::LinkLost, "TLS peer " + peer_.address + " closed the connection"))
                        .error());
            }
            return std::unexpected(breakWith(Error(Errc::LinkLost, "TLS receive from " + peer_.address +
                                                                       " failed: " + failureText(error)))
                                       .error());
        }
    }

    void close() noexcept override
    {
        if (!ssl_)
            return;
        if (handshaken_ && !broken_) {
            // One nonblocking close_notify; we do not wait for the peer's (it may be gone).
            ERR_clear_error();
            (void)SSL_shutdown(ssl_.get());
        }
        ERR_clear_error();
        ssl_.reset();
        fd_.reset();
    }

    [[nodiscard]] const PeerIdentity& peer() const noexcept override { return peer_; }

private:
    Result<void> ready() const
    {
        if (!ssl_)
            return fail(Errc::LinkLost, "TLS connection is closed");
        if (broken_)
            return fail(Errc::LinkLost, "TLS connection to " + peer_.address + " is broken");
        if (!handshaken_)
            return fail(Errc::InvalidArgument, "TLS connection used before its handshake");
        return {};
    }

    Result<void> breakWith(Error error)
    {
        broken_ = true;
        return std::unexpected(std::move(error));
    }

    std::string failureText(int sslError)
    {
        std::string text = opensslErrors();
        if (sslError == SSL_ERROR_SYSCALL && text.empty())
            text = errno != 0 ? detail::errnoText(errno) : "connection closed by the peer";
        const long verify = SSL_get_verify_result(ssl_.get());
        if (verify != X509_V_OK)
            text += std::string(text.empty() ? "" : "; ") +
                    "certificate verification: " + X509_verify_cert_error_string(verify);
        return text.empty() ? "SSL error " + std::to_string(sslError) : text;
    }

    SslPtr ssl_;
    UniqueFd fd_;
    bool server_ = false;
    bool handshaken_ = false;
    bool broken_ = false;
    PeerIdentity peer_;
};

/// A new SSL object on @p fd using the no-SIGPIPE socket BIO.
Result<SslPtr> newSsl(SSL_CTX* ctx, int fd)
{
    ERR_clear_error();
    SslPtr ssl(SSL_new(ctx));
    BIO_METHOD* method = socketBioMethod();
    BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
    if (!ssl || bio == nullptr) {
        BIO_free(bio);
        return fail(Errc::Internal, "cannot create a TLS session: " + opensslErrors());
    }
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
    SSL_set_bio(ssl.get(), bio, bio); // ssl owns the BIO (one reference, used for both directions)
    return ssl;
}

} // namespace

struct TlsListener::Impl {
    SslCtxPtr ctx;
    UniqueFd fd;
    std::string where;
};

TlsListener::TlsListener(std::unique_ptr<Impl> impl, std::uint16_t port) : impl_(std::move(impl)), port_(port)
{
}
TlsListener::~TlsListener() = default;

Result<std::unique_ptr<TlsListener>> TlsListener::create(const TlsServerOptions& options)
{
    auto ctx = makeContext(true, options.credentials);
    if (!ctx)
        return std::unexpected(ctx.error());
    auto fd = detail::listenTcp(options.bindAddress, options.port, options.backlog);
    if (!fd)
        return std::unexpected(fd.error());
    auto port = detail::localPort(fd->get());
    if (!port)
        return std::unexpected(port.error());
    auto impl = std::make_unique<Impl>();
    impl->ctx = std::move(*ctx);
    impl->fd = std::move(*fd);
    impl->where = "tls://" + options.bindAddress + ":" + std::to_string(*port);
    return std::unique_ptr<TlsListener>(new TlsListener(std::move(impl), *port));
}

Result<std::unique_ptr<Connection>> TlsListener::accept(std::chrono::milliseconds timeout)
{
    auto accepted = detail::acceptTcp(impl_->fd.get(), Clock::now() + timeout);
    if (!accepted)
        return std::unexpected(accepted.error());
    if (!accepted->first.valid())
        return std::unique_ptr<Connection>{};
    auto ssl = newSsl(impl_->ctx.get(), accepted->first.get());
    if (!ssl)
        return std::unexpected(ssl.error());
    return std::make_unique<TlsConnection>(std::move(*ssl), std::move(accepted->first), true,
                                           std::move(accepted->second));
}

std::string TlsListener::describe() const
{
    return impl_->where;
}

struct TlsDialer::Impl {
    SslCtxPtr ctx;
    TlsClientOptions options;
    std::string expectedName;
};

TlsDialer::TlsDialer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsDialer::~TlsDialer() = default;

Result<std::unique_ptr<TlsDialer>> TlsDialer::create(const TlsClientOptions& options)
{
    if (options.host.empty() || options.port == 0)
        return fail(Errc::InvalidArgument, "TLS dialer needs a host and a non-zero port");
    auto ctx = makeContext(false, options.credentials);
    if (!ctx)
        return std::unexpected(ctx.error());
    auto impl = std::make_unique<Impl>();
    impl->ctx = std::move(*ctx);
    impl->options = options;
    impl->expectedName = options.expectedServerName.empty() ? options.host : options.expectedServerName;
    return std::unique_ptr<TlsDialer>(new TlsDialer(std::move(impl)));
}

Result<std::unique_ptr<Connection>> TlsDialer::dial(std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    auto fd = detail::connectTcp(impl_->options.host, impl_->options.port, deadline);
    if (!fd)
        return std::unexpected(fd.error());
    auto ssl = newSsl(impl_->ctx.get(), fd->get());
    if (!ssl)
        return std::unexpected(ssl.error());
    const std::string& name = impl_->expectedName;
    if (isIpLiteral(name)) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl->get()), name.c_str()) != 1)
            return fail(Errc::InvalidArgument, "cannot pin server address '" + name + "'");
    } else {
        if (SSL_set1_host(ssl->get(), name.c_str()) != 1 ||
            SSL_set_tlsext_host_name(ssl->get(), name.c_str()) != 1)
            return fail(Errc::InvalidArgument, "cannot pin server name '" + name + "'");
    }
    SSL_set_connect_state(ssl->get());
    auto connection =
        std::make_unique<TlsConnection>(std::move(*ssl), std::move(*fd), false,
                                        impl_->options.host + ":" + std::to_string(impl_->options.port));
    const auto left = std::chrono::milliseconds(detail::millisecondsLeft(deadline));
    if (auto ok = connection->handshake(left); !ok)
        return std::unexpected(ok.error());
    return std::unique_ptr<Connection>(std::move(connection));
}

std::string TlsDialer::describe() const
{
    return "tls://" + impl_->options.host + ":" + std::to_string(impl_->options.port);
}

} // namespace gw::link
