// SPDX-License-Identifier: Apache-2.0
// Figures the benchmarks print: nearest-rank percentiles and the process's peak memory.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include <sys/resource.h>

namespace gw::bench {

/// @brief The nearest-rank @p p quantile (0..1) of @p v; 0 for an empty sample.
inline double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::ranges::sort(v);
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

/// @brief [MB] peak resident memory of this process so far (getrusage ru_maxrss).
inline double peakRssMb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

} // namespace gw::bench
