// SPDX-License-Identifier: Apache-2.0
#include "checks/check_context.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace gw::vision::checks {

cv::Rect toPixels(const RectMm& mm, double pixelsPerMm, cv::Size size)
{
    const cv::Rect r(static_cast<int>(std::lround(mm.x * pixelsPerMm)),
                     static_cast<int>(std::lround(mm.y * pixelsPerMm)),
                     static_cast<int>(std::lround(mm.width * pixelsPerMm)),
                     static_cast<int>(std::lround(mm.height * pixelsPerMm)));
    return r & cv::Rect(0, 0, size.width, size.height);
}

RectMm toMm(const cv::Rect& px, double pixelsPerMm)
{
    return RectMm{px.x / pixelsPerMm, px.y / pixelsPerMm, px.width / pixelsPerMm, px.height / pixelsPerMm};
}

double greyAtPercent(const cv::Mat& grey, int percent)
{
    if (grey.empty())
        return 0;
    const cv::Mat continuous = grey.isContinuous() ? grey : grey.clone();
    std::vector<std::uint8_t> v(continuous.data, continuous.data + continuous.total());
    const auto at =
        v.begin() + static_cast<std::ptrdiff_t>(v.size() * static_cast<std::size_t>(percent) / 100);
    std::ranges::nth_element(v, at);
    return *at;
}

CheckOutcome notSupported(std::string id, std::string tr03135Id, std::string_view lightEn,
                          std::string_view lightNl)
{
    CheckOutcome c;
    c.id = std::move(id);
    c.tr03135Id = std::move(tr03135Id);
    c.result = CheckResult::NotSupported;
    c.margin = 0;
    c.reason.en = "Not checked: the scanner did not capture the " + std::string(lightEn) + " image.";
    c.reason.nl = "Niet gecontroleerd: de scanner heeft geen " + std::string(lightNl) + " opname gemaakt.";
    return c;
}

double marginOf(double measured, double threshold, double span, bool higherPasses)
{
    if (!(span > 0) || !std::isfinite(measured))
        return higherPasses == (measured >= threshold) ? 1.0 : -1.0;
    const double m = (higherPasses ? measured - threshold : threshold - measured) / span;
    return std::clamp(m, -1.0, 1.0);
}

} // namespace gw::vision::checks
