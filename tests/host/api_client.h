// SPDX-License-Identifier: Apache-2.0
// A small REST client for the station's tests: keeps the session cookie and the CSRF token.
#pragma once

#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace gw::host::testing {

struct ApiResponse {
    int status = 0;
    std::string body;
    std::string contentType;
    std::string setCookie;
    nlohmann::json json() const
    {
        try {
            return nlohmann::json::parse(body);
        } catch (const nlohmann::json::exception&) {
            return nullptr;
        }
    }
};

class ApiClient {
public:
    explicit ApiClient(std::uint16_t port) : client_("127.0.0.1", port)
    {
        client_.set_connection_timeout(std::chrono::seconds(5));
        client_.set_read_timeout(std::chrono::seconds(30));
    }

    ApiResponse get(const std::string& path) { return wrap(client_.Get(path, headers(false))); }

    ApiResponse post(const std::string& path, const nlohmann::json& body, bool withCsrf = true,
                     const std::string& origin = {})
    {
        auto h = headers(withCsrf);
        if (!origin.empty())
            h.emplace("Origin", origin);
        return wrap(client_.Post(path, h, body.dump(), "application/json"));
    }

    ApiResponse postRaw(const std::string& path, const std::string& body)
    {
        return wrap(client_.Post(path, headers(true), body, "application/json"));
    }

    /// GET /api/session then POST /api/login. @return the login response
    ApiResponse login(const std::string& user, const std::string& password)
    {
        auto s = get("/api/session");
        csrf_ = s.json().value("csrf", "");
        auto r = post("/api/login", {{"user", user}, {"password", password}});
        if (r.status == 200)
            csrf_ = r.json().value("csrf", "");
        return r;
    }

    std::string& csrf() { return csrf_; }
    std::string& cookie() { return cookie_; }

private:
    httplib::Headers headers(bool withCsrf) const
    {
        httplib::Headers h;
        if (!cookie_.empty())
            h.emplace("Cookie", "gw_session=" + cookie_);
        if (withCsrf && !csrf_.empty())
            h.emplace("X-CSRF-Token", csrf_);
        return h;
    }

    ApiResponse wrap(const httplib::Result& res)
    {
        ApiResponse out;
        if (!res)
            return out;
        out.status = res->status;
        out.body = res->body;
        out.contentType = res->get_header_value("Content-Type");
        out.setCookie = res->get_header_value("Set-Cookie");
        const std::string prefix = "gw_session=";
        if (out.setCookie.rfind(prefix, 0) == 0) {
            const auto end = out.setCookie.find(';');
            cookie_ = out.setCookie.substr(prefix.size(), end - prefix.size());
        }
        return out;
    }

    httplib::Client client_;
    std::string cookie_;
    std::string csrf_;
};

} // namespace gw::host::testing
