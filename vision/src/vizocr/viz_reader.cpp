// SPDX-License-Identifier: Apache-2.0
// The Tesseract adapter behind VizTextReader: the only file of vision/ that includes Tesseract's API.
#include <algorithm>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <gw/vision/viz_reader.h>

#if defined(GW_VIZ_HAVE_OPENMP)
#include <omp.h>
#endif

namespace gw::vision {
namespace {

constexpr int kMaxLineWidthPx = 4000;
constexpr int kMaxLineHeightPx = 400;
constexpr float kMinAlternativeConfidence = 25; // [0, 100] Tesseract's scale

struct TextDeleter {
    void operator()(char* p) const noexcept { delete[] p; }
};
using TessText = std::unique_ptr<char, TextDeleter>;

// Tesseract's LSTM forward passes carry `#pragma omp parallel for num_threads(4)`, which no
// omp_set_num_threads() overrides; a maximum of zero active levels makes every such region run on the
// calling thread. Restored afterwards so that the rest of the process keeps its own setting.
class SingleThreaded {
public:
    SingleThreaded()
    {
#if defined(GW_VIZ_HAVE_OPENMP)
        saved_ = omp_get_max_active_levels();
        omp_set_max_active_levels(0);
#endif
    }
    ~SingleThreaded()
    {
#if defined(GW_VIZ_HAVE_OPENMP)
        omp_set_max_active_levels(saved_);
#endif
    }
    SingleThreaded(const SingleThreaded&) = delete;
    SingleThreaded& operator=(const SingleThreaded&) = delete;

private:
    [[maybe_unused]] int saved_ = 0;
};

bool validLanguage(std::string_view lang)
{
    return !lang.empty() && lang.size() <= 64 && std::ranges::all_of(lang, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '+';
    });
}

char asciiOf(const char* utf8)
{
    if (utf8 == nullptr || utf8[0] == '\0')
        return '?';
    const auto c = static_cast<unsigned char>(utf8[0]);
    return c < 0x80 ? static_cast<char>(c) : '?';
}

} // namespace

struct VizTextReader::Impl {
    std::mutex mutex;
    std::vector<char> model; // Tesseract keeps pointers into the data it was initialised from
    tesseract::TessBaseAPI api;
    std::string whitelist = "\x01"; // never a real setting: forces the first call to set it
};

VizTextReader::VizTextReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

VizTextReader::~VizTextReader()
{
    if (impl_)
        impl_->api.End();
}

Result<std::shared_ptr<VizTextReader>> VizTextReader::create(std::span<const std::uint8_t> traineddata,
                                                             std::string_view language)
{
    if (traineddata.empty())
        return fail(Errc::InvalidArgument, "the Tesseract model data is empty");
    if (traineddata.size() > std::size_t(1) << 30)
        return fail(Errc::InvalidArgument, "the Tesseract model data is larger than 1 GiB");
    if (!validLanguage(language))
        return fail(Errc::InvalidArgument, "invalid Tesseract language code '" + std::string(language) + "'");
    try {
        auto impl = std::make_unique<Impl>();
        impl->model.assign(traineddata.begin(), traineddata.end());
        // Names and document numbers are not dictionary words: the dictionaries would only pull a read
        // towards English.
        // The inverted second try only costs time on printed data (dark on light by construction).
        const std::vector<std::string> names{"load_system_dawg", "load_freq_dawg", "lstm_choice_mode",
                                             "tessedit_do_invert"};
        const std::vector<std::string> values{"0", "0", "2", "0"};
        const std::string lang(language);
        SingleThreaded oneThread;
        const int rc = impl->api.Init(impl->model.data(), static_cast<int>(impl->model.size()), lang.c_str(),
                                      tesseract::OEM_LSTM_ONLY, nullptr, 0, &names, &values, false, nullptr);
        if (rc != 0)
            return fail(Errc::InvalidInput,
                        "Tesseract could not load the '" + lang +
                            "' model from the data given (not an LSTM .traineddata file?)");
        return std::shared_ptr<VizTextReader>(new VizTextReader(std::move(impl)));
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("Tesseract failed to initialise: ") + e.what());
    }
}

Result<VizLineText> VizTextReader::readLine(const ImageView& line, const VizReadOptions& options)
{
    if (!line.valid())
        return fail(Errc::InvalidArgument, "the line image view is empty or invalid");
    if (line.width > kMaxLineWidthPx || line.height > kMaxLineHeightPx)
        return fail(Errc::InvalidArgument, "line image " + std::to_string(line.width) + "x" +
                                               std::to_string(line.height) + " px exceeds 4000x400 px");
    try {
        std::scoped_lock lock(impl_->mutex);
        auto& api = impl_->api;
        if (options.whitelist != impl_->whitelist) {
            // The LSTM drops word spaces unless the space is allowed too.
            const std::string allowed = options.whitelist.empty() ? std::string() : options.whitelist + " ";
            api.SetVariable("tessedit_char_whitelist", allowed.c_str());
            impl_->whitelist = options.whitelist;
        }
        api.SetPageSegMode(options.singleCharacter ? tesseract::PSM_SINGLE_CHAR
                           : options.singleWord    ? tesseract::PSM_SINGLE_WORD
                                                   : tesseract::PSM_RAW_LINE);
        api.SetImage(line.data, line.width, line.height, channels(line.format), line.strideBytes);
        api.SetSourceResolution(300); // the scale is the caller's; this only silences Tesseract's warning
        SingleThreaded oneThread;
        if (api.Recognize(nullptr) != 0)
            return fail(Errc::Internal, "Tesseract could not recognise the line");

        VizLineText out;
        std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
        if (it) {
            constexpr auto kSymbol = tesseract::RIL_SYMBOL;
            do {
                const TessText sym(it->GetUTF8Text(kSymbol));
                if (!sym || sym.get()[0] == '\0' || sym.get()[0] == ' ')
                    continue;
                if (it->IsAtBeginningOf(tesseract::RIL_WORD) && !out.text.empty())
                    out.text.push_back(' ');
                VizGlyph g;
                g.text = asciiOf(sym.get());
                g.confidence = std::clamp(it->Confidence(kSymbol) / 100.0f, 0.0f, 1.0f);
                if (int l = 0, t = 0, r = 0, b = 0;
                    it->BoundingBox(kSymbol, &l, &t, &r, &b) && r > l && b > t) {
                    g.x = l;
                    g.y = t;
                    g.width = r - l;
                    g.height = b - t;
                }
                tesseract::ChoiceIterator choice(*it);
                do {
                    const char* alt = choice.GetUTF8Text();
                    const char a = asciiOf(alt);
                    // The LSTM lists every class it touched; only a runner-up with real weight is a doubt.
                    if (choice.Confidence() >= kMinAlternativeConfidence && a != '?' && a != g.text &&
                        g.alternatives.find(a) == std::string::npos)
                        g.alternatives.push_back(a);
                } while (choice.Next());
                out.text.push_back(g.text);
                out.glyphs.push_back(std::move(g));
            } while (it->Next(kSymbol));
        }
        api.Clear();
        if (!out.glyphs.empty()) {
            float sum = 0;
            out.minConfidence = 1;
            for (const auto& g : out.glyphs) {
                sum += g.confidence;
                out.minConfidence = std::min(out.minConfidence, g.confidence);
            }
            out.meanConfidence = sum / static_cast<float>(out.glyphs.size());
        }
        return out;
    } catch (const std::exception& e) {
        return fail(Errc::Internal, std::string("Tesseract failed: ") + e.what());
    }
}

} // namespace gw::vision
