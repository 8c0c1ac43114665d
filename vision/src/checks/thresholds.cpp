// SPDX-License-Identifier: Apache-2.0
// The thresholds table: the shipped defaults and a lab's overrides.
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include <gw/vision/thresholds.h>

namespace gw::vision {
namespace {

using json = nlohmann::json;

constexpr std::string_view kDefaultJson =
#include "thresholds_default.inc"
    ;

} // namespace

Result<Thresholds> Thresholds::parse(std::string_view text, const Thresholds* base)
{
    const json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return fail(Errc::InvalidArgument, "thresholds: not a JSON object");
    Thresholds out = base ? *base : Thresholds{};
    auto& entries = out.entries_;
    const auto version = doc.find("version");
    if (version != doc.end() && !version->is_string())
        return fail(Errc::InvalidArgument, "thresholds: \"version\" must be a string");
    std::string newVersion = version != doc.end() ? version->get<std::string>() : std::string();
    if (!base && newVersion.empty())
        return fail(Errc::InvalidArgument, "thresholds: the shipped table needs a \"version\"");
    const auto table = doc.find("thresholds");
    if (table == doc.end() || !table->is_object())
        return fail(Errc::InvalidArgument, "thresholds: \"thresholds\" must be an object of key -> value");
    bool changed = false;
    for (const auto& [key, item] : table->items()) {
        Thresholds::Entry entry;
        if (item.is_number()) {
            entry.value = item.get<double>();
        } else if (item.is_object() && item.contains("value") && item["value"].is_number()) {
            entry.value = item["value"].get<double>();
            if (item.contains("why") && item["why"].is_string())
                entry.why = item["why"].get<std::string>();
        } else {
            return fail(Errc::InvalidArgument,
                        "thresholds: \"" + key + "\" must be a number or {\"value\": number, \"why\": text}");
        }
        if (!std::isfinite(entry.value))
            return fail(Errc::InvalidArgument, "thresholds: \"" + key + "\" is not a finite number");
        if (base) {
            const auto known = entries.find(key);
            if (known == entries.end())
                return fail(Errc::InvalidArgument,
                            "thresholds: unknown key \"" + key + "\" (see vision/config/thresholds.json)");
            if (entry.why.empty())
                entry.why = known->second.why + " (overridden by the lab)";
            changed = changed || entry.value != known->second.value;
            known->second = std::move(entry);
        } else {
            if (entry.why.empty())
                return fail(Errc::InvalidArgument,
                            "thresholds: the shipped value \"" + key + "\" has no \"why\"");
            entries.emplace(key, std::move(entry));
        }
    }
    // A lab file made from `docinspect thresholds` carries the shipped version: once a value differs it
    // is no longer that version, and a report must not claim it is.
    if (base && (newVersion.empty() || (newVersion == base->version() && changed)))
        newVersion = base->version() + "+lab";
    out.version_ = std::move(newVersion);
    return out;
}

const Thresholds& Thresholds::defaults()
{
    static const Thresholds table = [] {
        auto parsed = parse(kDefaultJson, nullptr);
        if (!parsed) // the build embeds a file our tests parse; reaching this is a broken build
            throw std::logic_error("vision/config/thresholds.json: " + parsed.error().message());
        return std::move(*parsed);
    }();
    return table;
}

Result<Thresholds> Thresholds::fromJson(std::string_view json, const Thresholds& base)
{
    return parse(json, &base);
}

double Thresholds::value(std::string_view key) const
{
    const auto it = entries_.find(key);
    if (it == entries_.end())
        throw std::out_of_range("no threshold \"" + std::string(key) + "\" in vision/config/thresholds.json");
    return it->second.value;
}

std::string Thresholds::toJson() const
{
    json table = json::object();
    for (const auto& [key, e] : entries_)
        table[key] = {{"value", e.value}, {"why", e.why}};
    return json{{"version", version_}, {"thresholds", table}}.dump(2);
}

} // namespace gw::vision
