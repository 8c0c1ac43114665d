// SPDX-License-Identifier: Apache-2.0
// The compact OCR-B classifier: a one-hidden-layer perceptron whose weights are compiled in.
#include <algorithm>
#include <cmath>

#include "ocr/line_segmenter.h"

namespace gw::vision::ocr {
namespace {
#include "ocr/ocrb_model.inc"
} // namespace

Result<ClassProbs> classifyGlyph(const GlyphFeatures& features)
{
    // A runtime check rather than a static_assert: the training tool links this library and must build
    // while the layout of the features changes, before it regenerates the model.
    if (kModelInputs != kFeatureCount || kModelClasses != kClassCount || kModelHidden <= 0)
        return fail(Errc::Internal, "the compiled-in OCR-B model does not match the glyph features; "
                                    "run scripts/train-ocrb.sh");
    // Weights are stored input-major so each input adds a contiguous row to all outputs: the loops vectorise
    // without reassociation, and the many blank (zero) grid cells and inactive units are skipped.
    std::array<float, (kModelHidden > 0 ? kModelHidden : 1)> hidden{};
    for (int j = 0; j < kModelHidden; ++j)
        hidden[static_cast<std::size_t>(j)] = kModelB1[j];
    for (int i = 0; i < kModelInputs; ++i) {
        const float x = features[static_cast<std::size_t>(i)];
        if (x == 0.0F)
            continue;
        const float* w = &kModelW1[static_cast<std::size_t>(i) * kModelHidden];
        for (int j = 0; j < kModelHidden; ++j)
            hidden[static_cast<std::size_t>(j)] += x * w[j];
    }
    ClassProbs probs{};
    for (int c = 0; c < kClassCount; ++c)
        probs[static_cast<std::size_t>(c)] = kModelB2[c];
    for (int j = 0; j < kModelHidden; ++j) {
        const float h = hidden[static_cast<std::size_t>(j)];
        if (h <= 0.0F)
            continue; // ReLU
        const float* w = &kModelW2[static_cast<std::size_t>(j) * kModelClasses];
        for (int c = 0; c < kClassCount; ++c)
            probs[static_cast<std::size_t>(c)] += h * w[c];
    }
    float maxLogit = -1e30F;
    for (const float v : probs)
        maxLogit = std::max(maxLogit, v);
    float sum = 0;
    for (auto& p : probs) {
        p = std::exp(p - maxLogit);
        sum += p;
    }
    for (auto& p : probs)
        p /= sum;
    return probs;
}

} // namespace gw::vision::ocr
