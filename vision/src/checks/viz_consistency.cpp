// SPDX-License-Identifier: Apache-2.0
// viz.mrz_consistency: the personal data printed in the visual zone agrees with the MRZ (ICAO 9303-3).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include <gw/vision/viz_reader.h>

#include "checks/optical_checks.h"
#include "vizocr/viz_text.h"

namespace gw::vision::checks {
namespace {

constexpr const char* kId = "viz.mrz_consistency";
constexpr double kTargetCapPx = 30;   // Tesseract's LSTM reads best at 20-40 px cap height
constexpr std::size_t kMaxItems = 28; // a VIZ holds about 12 values; more is artwork, not data
constexpr double kRereadScale = 1.35; // a second read at another scale when only one light shows the text
constexpr int kShortItemChars = 3;    // values this short are read as one word (raw-line mode drops them)
constexpr double kPadCaps = 0.4;      // white margin around an item for the reader [cap heights]
constexpr int kMinDateChars = 6;
constexpr int kSizeEvidence = -2;                    // Field::at when the glyph count, not a reading, differs
constexpr int kMinLettersForSizeEvidence = 6;        // shorter names vary too much with transliteration
constexpr double kMaxShortNameWidthPerLetter = 0.25; // [cap heights] letters are 0.3-0.9 caps wide
constexpr int kMaxDateChars = 16;
// The line reader's confidence below which its glyph box is not trusted to hold one glyph: "01583HM5J" read
// "01583HMS5" put the last box (0.14) over the 5 and half the J; alone it read '5', a false difference.
constexpr double kMinBoxConfidence = 0.5;
constexpr double kMinSexCapShare = 0.8; // of the median cap height of the values read
constexpr int kMaxNeighbourChars = 30;  // a value sharing a date's baseline (nationality, place of birth)
// Between two lines of values at most this many cap heights (a caption between them included: 1.6 on
// TD1, 2.1 on TD3); a line the text finder missed leaves 4 or more (a TD1 surname LI not found made the
// header's 'AR' stand in for it).
constexpr double kMaxLineGapCaps = 3.0;
constexpr int kMaxDateRereads = 3;          // items of a date's size that read as no date
constexpr std::size_t kMaxCaptionsRead = 8; // the surname's caption comes within the first few (9303-4)

struct ReadItem {
    ReadItem(vizocr::TextItem i, VizLineText t, cv::Mat img)
        : item(i), text(std::move(t)), image(std::move(img))
    {
    }
    vizocr::TextItem item;
    VizLineText text;
    cv::Mat image;          ///< what the reader was given (glyph boxes refer to it)
    bool otherView = false; ///< read in the other light (or at the other scale), see the date re-read
    /// Glyphs re-read on their own, by glyph index (filled on demand by a GlyphReader).
    mutable std::map<std::size_t, std::optional<VizGlyph>> alone;
};

// One glyph of a reading re-read on its own (Tesseract's single-character mode). Inside a line the LSTM's
// context can outvote the glyph: a clean '9' in "D95EWPWM4" was read 'O' at 0.99, twice.
using GlyphReader = std::function<std::optional<VizGlyph>(const ReadItem&, std::size_t glyph)>;

enum class State { Absent, Confirmed, Differs };

struct Field {
    Field(const char* k, const char* e, const char* n) : key(k), en(e), nl(n) {}
    const char* key; // measured name and id
    const char* en;  // "date of birth"
    const char* nl;  // "geboortedatum"
    State state = State::Absent;
    std::string vizValue;
    std::string mrzValue;
    int item = -1;          // index of the evidence in the items read
    int at = -1;            // the differing character of a document number (index in the MRZ's number)
    char seen = 0;          // what is printed there instead
    bool seenAlone = false; // the differing glyph read on its own said so too (a second look)
    double evidence = 0;    // [0, 1] how far the evidence's confidence lies above the threshold
};

std::string compact(std::string_view s)
{
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '<')
            out.push_back(c);
    return out;
}

bool nameLike(const std::string& s)
{
    int letters = 0, other = 0;
    for (char c : s) {
        if (c >= 'A' && c <= 'Z')
            ++letters;
        else if (c != ' ' && c != '-' && c != '\'' && c != '.')
            ++other;
    }
    return letters >= 2 && other * 5 <= letters;
}

std::string mrzDateText(std::string_view yymmdd)
{
    if (yymmdd.size() != 6)
        return std::string(yymmdd);
    return std::string(yymmdd.substr(4, 2)) + "." + std::string(yymmdd.substr(2, 2)) + "." +
           std::string(yymmdd.substr(0, 2));
}

std::string vizDateText(const vizocr::VizDate& d)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d.%02d.%02d", d.day, d.month, d.year % 100);
    return buf;
}

int letterCount(std::string_view s)
{
    return static_cast<int>(std::ranges::count_if(s, [](char c) { return c >= 'A' && c <= 'Z'; }));
}

// The letters and digits of a reading with their glyphs (the reader adds stray dots and spaces).
struct Alnum {
    std::string text;
    std::vector<const VizGlyph*> glyphs;
};

Alnum alnumOf(const VizLineText& t)
{
    Alnum a;
    for (const auto& g : t.glyphs)
        if ((g.text >= 'A' && g.text <= 'Z') || (g.text >= '0' && g.text <= '9')) {
            a.text.push_back(g.text);
            a.glyphs.push_back(&g);
        }
    return a;
}

// The least confidence over the letters and digits of a reading (1 when it has none).
double alnumConfidence(const VizLineText& t)
{
    double c = 1;
    for (const auto& g : t.glyphs)
        if ((g.text >= 'A' && g.text <= 'Z') || (g.text >= '0' && g.text <= '9'))
            c = std::min(c, static_cast<double>(g.confidence));
    return c;
}

// A reading with each letter read below @p minConf replaced by vizocr::kAnyLetter: a name compared this
// way differs only where the reader was sure (the eng model has no Ø or Ł and reads them doubtfully).
struct MaskedName {
    std::string text;
    int sure = 0; // letters read confidently
};

MaskedName maskedName(const VizLineText& t, double minConf)
{
    MaskedName m;
    std::size_t g = 0;
    for (char ch : t.text) {
        if (ch == ' ' || g >= t.glyphs.size()) {
            m.text.push_back(ch);
            continue;
        }
        const VizGlyph& glyph = t.glyphs[g++];
        const bool letter = ch >= 'A' && ch <= 'Z';
        if (letter && glyph.confidence < minConf) {
            m.text.push_back(vizocr::kAnyLetter);
            continue;
        }
        m.sure += letter ? 1 : 0;
        m.text.push_back(ch);
    }
    return m;
}

// A name field that is no reading of either MRZ name even where its doubtful letters are given the benefit
// of the doubt, and of which most letters were read confidently.
bool nameDiffers(const VizLineText& t, const MrzRecord& rec, double minConf, double matchSim,
                 double mismatchSim)
{
    if (!nameLike(t.text))
        return false;
    const MaskedName m = maskedName(t, minConf);
    const int letters = letterCount(t.text);
    if (m.sure < 2 || 2 * m.sure < letters)
        return false;
    // Unlike the surname, also where it is only part of it (a long surname printed on two lines), and
    // not a given name (a second line of given names). Only a close match counts as a given name: two
    // unrelated names of six letters share half of them by chance (MULLER, WILLEM).
    const double asSurname = std::max(vizocr::nameSimilarity(rec.fields.surname, m.text, rec.namesTruncated),
                                      vizocr::fragmentSimilarity(rec.fields.surname, m.text));
    return asSurname < mismatchSim && vizocr::fragmentSimilarity(rec.fields.givenNames, m.text) < matchSim;
}

// Every date in a reading (an item may hold a date and the value printed beside it on the same baseline,
// "CESKA REPUBLIKA 14 OCT 2009"), each with the least confidence over its letters and digits.
struct FoundDate {
    vizocr::VizDate date;
    double confidence = 0;
};

std::vector<FoundDate> datesIn(const VizLineText& t)
{
    struct Token {
        std::string text;
        std::size_t firstGlyph;
    };
    std::vector<Token> tokens;
    std::size_t g = 0;
    for (std::size_t i = 0; i < t.text.size();) {
        if (t.text[i] == ' ') {
            ++i;
            continue;
        }
        const std::size_t end = std::min(t.text.find(' ', i), t.text.size());
        tokens.push_back({t.text.substr(i, end - i), g});
        g += end - i;
        i = end;
    }
    constexpr std::size_t kMaxTokens = 4; // "12 MAR / MARS 1985"
    std::vector<FoundDate> out;
    for (std::size_t b = 0; b < tokens.size();) {
        bool found = false;
        for (std::size_t n = std::min(kMaxTokens, tokens.size() - b); n >= 1 && !found; --n) {
            std::string text;
            for (std::size_t k = b; k < b + n; ++k)
                text += (k > b ? " " : "") + tokens[k].text;
            const auto d = vizocr::parseVizDate(text);
            if (!d)
                continue;
            double conf = 1;
            const std::size_t last = b + n - 1;
            const std::size_t to =
                std::min(t.glyphs.size(), tokens[last].firstGlyph + tokens[last].text.size());
            for (std::size_t k = tokens[b].firstGlyph; k < to; ++k) {
                const char ch = t.glyphs[k].text;
                if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
                    conf = std::min(conf, static_cast<double>(t.glyphs[k].confidence));
            }
            out.push_back({*d, conf});
            b += n;
            found = true;
        }
        if (!found)
            ++b;
    }
    return out;
}

// How a reading of the number compares with the MRZ's, character by character.
struct NumberMatch {
    int hard = 0;               // confident, unmistakable differences
    int soft = 0;               // look-alikes, the reader's own alternatives, doubtful characters
    std::size_t at = 0;         // the (last) hard difference, in the MRZ's number
    char seen = 0;              // the character printed there
    double confidence = 0;      // how surely it was read
    bool lostCharacter = false; // the reading lost one of the number's characters
    bool seenAlone = false;     // the hard difference was read so on the glyph alone too
    Alnum read;
};

std::size_t glyphIndex(const VizLineText& t, const VizGlyph* g)
{
    return static_cast<std::size_t>(g - t.glyphs.data());
}

// Paints white the ink of @p piece that belongs to its neighbours: a blob mostly outside @p core (the
// glyph's or value's own box in @p piece), with its anti-aliased fringe. The padding that keeps a glyph's
// edge also catches a sliver of the next glyph, and the reader takes the sliver for a stroke: a '1' with
// a fleck of its neighbour came back 'EEE', a '4' with a dot '45'.
void whitenNeighbours(cv::Mat& piece, const cv::Rect& core)
{
    cv::Mat ink;
    cv::threshold(piece, ink, 160, 255, cv::THRESH_BINARY_INV);
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    cv::Mat foreign(piece.size(), CV_8U, cv::Scalar(0)), own(piece.size(), CV_8U, cv::Scalar(0));
    for (int i = 1; i < n; ++i) {
        const cv::Rect b(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                         stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        const cv::Mat blob = labels(b) == i;
        const int inside = cv::countNonZero(blob((core - b.tl()) & cv::Rect(0, 0, b.width, b.height)));
        const bool neighbour = 2 * inside < stats.at<int>(i, cv::CC_STAT_AREA);
        (neighbour ? foreign : own)(b).setTo(255, blob);
    }
    if (cv::countNonZero(foreign) == 0)
        return;
    const cv::Mat ring = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3));
    cv::dilate(foreign, foreign, ring);
    cv::dilate(own, own, ring);
    piece.setTo(255, foreign & ~own);
}

// @p box of @p image widened by an eighth of its height (the anti-aliased edge; @p outer: where), its
// paper made white (scaled so its 90th percentile of grey is 255) and its neighbours' ink removed. Empty
// when the box lies outside the image.
cv::Mat cleanPiece(const cv::Mat& image, const cv::Rect& box, cv::Rect& outer)
{
    const int pad = std::max(2, box.height / 8);
    outer = cv::Rect(box.x - pad, box.y - pad, box.width + 2 * pad, box.height + 2 * pad) &
            cv::Rect(0, 0, image.cols, image.rows);
    if (image.empty() || box.width <= 0 || box.height <= 0 || outer.width <= 0 || outer.height <= 0)
        return {};
    cv::Mat piece;
    image(outer).convertTo(piece, CV_8U, 255.0 / std::max(greyAtPercent(image(outer), 90), 64.0));
    whitenNeighbours(piece, box - outer.tl());
    return piece;
}

// A glyph's ink cut from its neighbours and scaled to one size, to compare with the other glyphs of its
// line (same font, size, print and light).
struct GlyphShape {
    cv::Mat pixels; // CV_32F, kShapeWidth x kShapeHeight
    double aspect = 0;
    int height = 0;
};
constexpr int kShapeWidth = 16, kShapeHeight = 24;
constexpr double kNoTwin = -2;
// Similarity of glyphs of one line whose characters the MRZ confirms, 60 genuine captures (specimen seed
// 777): same character >= 0.83 (122 pairs, 2 of them incomparable), different <= 0.84 ('8' and 'B'),
// non-look-alikes <= 0.81 ('3' and '8'), 1,815 pairs. A twin must be clearly more alike than any other.
constexpr double kTwinSimilarity = 0.90;
constexpr double kTwinLead = 0.10;
constexpr double kTwinUnlike = 0.50;

std::optional<GlyphShape> glyphShape(const cv::Mat& image, const VizGlyph& g)
{
    cv::Rect outer;
    const cv::Mat piece = cleanPiece(image, cv::Rect(g.x, g.y, g.width, g.height), outer);
    if (piece.empty())
        return std::nullopt;
    cv::Mat ink;
    cv::threshold(piece, ink, 160, 255, cv::THRESH_BINARY_INV);
    const cv::Rect tight = cv::boundingRect(ink);
    if (tight.width < 2 || tight.height < 6)
        return std::nullopt;
    GlyphShape s;
    cv::resize(piece(tight), s.pixels, cv::Size(kShapeWidth, kShapeHeight), 0, 0, cv::INTER_AREA);
    s.pixels.convertTo(s.pixels, CV_32F);
    s.aspect = static_cast<double>(tight.width) / tight.height;
    s.height = tight.height;
    return s;
}

// Normalised correlation of two shapes; -1 when their height or proportions differ (a '1' and a '4').
double shapeSimilarity(const GlyphShape& a, const GlyphShape& b)
{
    if (std::abs(a.height - b.height) > 0.15 * std::max(a.height, b.height) ||
        std::abs(a.aspect - b.aspect) > 0.25 * std::max(a.aspect, b.aspect))
        return -1;
    cv::Mat r;
    cv::matchTemplate(a.pixels, b.pixels, r, cv::TM_CCOEFF_NORMED);
    return r.at<float>(0, 0);
}

// Where character k of a reading stands in the MRZ's number: a reading that lost one character (at
// @p droppedAt; npos: none) is shifted by one from there on.
std::size_t mrzIndex(std::size_t k, std::size_t droppedAt)
{
    return droppedAt != std::string::npos && k >= droppedAt ? k + 1 : k;
}

// How the differing glyph at @p k looks beside the glyphs of its reading that agree with the MRZ (so
// their character is known): its best similarity to one of the character read and to one of the MRZ's
// character; kNoTwin when the line has none, -1 when those differ in size or proportions.
struct TwinScores {
    double seen = kNoTwin;
    double want = kNoTwin;
};

TwinScores twinOf(const ReadItem& source, const Alnum& a, std::size_t k, const std::string& mrzNumber,
                  std::size_t droppedAt)
{
    TwinScores t;
    const auto self = glyphShape(source.image, *a.glyphs[k]);
    if (!self)
        return t;
    const char seen = a.text[k], want = mrzNumber[mrzIndex(k, droppedAt)];
    for (std::size_t j = 0; j < a.text.size(); ++j) {
        const char c = a.text[j];
        if (j == k || c != mrzNumber[mrzIndex(j, droppedAt)] || (c != seen && c != want))
            continue;
        const auto other = glyphShape(source.image, *a.glyphs[j]);
        if (!other)
            continue;
        double& best = c == seen ? t.seen : t.want;
        best = std::max(best, shapeSimilarity(*self, *other));
    }
    return t;
}

// The reading aligned with the MRZ's number (see mrzIndex). A differing character is a hard difference only
// when it is no look-alike of the MRZ's, not among the reader's alternatives, confident, and (with @p alone)
// the glyph read on its own says the same: neither the MRZ's character nor a look-alike of it, surely. One
// that the glyph read on its own shows surely as the MRZ's character is no difference at all.
NumberMatch matchNumber(Alnum a, const std::string& mrzNumber, std::size_t droppedAt, double minConf,
                        const ReadItem* source, const GlyphReader* alone)
{
    NumberMatch m;
    for (std::size_t k = 0; k < a.text.size(); ++k) {
        const char want = mrzNumber[mrzIndex(k, droppedAt)];
        char seen = a.text[k];
        if (seen == want)
            continue;
        const auto& g = *a.glyphs[k];
        double confidence = g.confidence;
        bool seenAlone = false;
        bool sure = !vizocr::lookalike(seen, want) && g.alternatives.find(want) == std::string::npos &&
                    g.confidence >= minConf;
        // The glyph beside its line's verified glyphs: like one of the MRZ's character, the line read
        // slipped; like one of the character read, or clearly unlike one of the MRZ's (a '1' beside the
        // line's '7's), that is a second look that needs no lone read.
        const TwinScores twin =
            source != nullptr ? twinOf(*source, a, k, mrzNumber, droppedAt) : TwinScores{};
        if (twin.want >= kTwinSimilarity && twin.want >= twin.seen + kTwinLead) {
            a.text[k] = want;
            continue;
        }
        const bool likeSeen = twin.seen >= kTwinSimilarity && twin.seen >= twin.want + kTwinLead;
        const bool unlikeWant = twin.want > -1 && twin.want <= kTwinUnlike && g.confidence >= minConf;
        if (likeSeen || unlikeWant) {
            sure = g.confidence >= kMinBoxConfidence && (unlikeWant || !vizocr::lookalike(seen, want));
            seenAlone = true;
        } else if (alone != nullptr && source != nullptr) {
            // Alone the glyph may show the MRZ's character (the line read was a slip), another character
            // surely (the print), a doubt that includes the MRZ's character (no evidence), or nothing
            // (the line read stands).
            const auto solo = (*alone)(*source, glyphIndex(source->text, a.glyphs[k]));
            const bool soloSure = solo && solo->confidence >= minConf;
            if (soloSure && solo->text == want) {
                // Alone the glyph is the MRZ's character, surely: the line read was a slip, no doubt.
                a.text[k] = want;
                continue;
            }
            if (solo && (solo->text == want || vizocr::lookalike(solo->text, want) ||
                         (!soloSure && solo->alternatives.find(want) != std::string::npos))) {
                sure = false;
            } else if (soloSure && g.confidence >= kMinBoxConfidence &&
                       !(vizocr::lookalike(seen, want) && solo->text != seen &&
                         !vizocr::lookalike(solo->text, seen))) {
                // (A line reading that is a look-alike of the MRZ's character and a lone reading that is
                // neither disagree: a genuine '0' read 'O' in its line and 'GGG' alone made a RED.)
                sure = true;
                // The glyph's own reading names the character, but a look-alike of the line's reading is
                // the same glyph ('O' alone for the line's '0' among digits): the line's stands then.
                if (!vizocr::lookalike(solo->text, seen))
                    seen = solo->text;
                confidence = std::max<double>(confidence, solo->confidence);
                seenAlone = true;
            }
        }
        if (sure) {
            ++m.hard;
            m.at = mrzIndex(k, droppedAt);
            m.seen = seen;
            m.confidence = confidence;
            m.seenAlone = seenAlone;
            a.text[k] = seen; // the officer is shown what the glyph says on its own
        } else {
            ++m.soft;
        }
    }
    m.read = std::move(a);
    return m;
}

int rawMismatches(const std::string& read, const std::string& mrzNumber, std::size_t droppedAt)
{
    int n = 0;
    for (std::size_t k = 0; k < read.size(); ++k)
        n += read[k] != mrzNumber[mrzIndex(k, droppedAt)] ? 1 : 0;
    return n;
}

// The glyph-sized blobs of ink on the band of a reading's glyphs (not dots, commas or a neighbouring
// line's descenders), left to right.
std::vector<cv::Rect> bandBlobs(const ReadItem& source, const Alnum& a)
{
    std::vector<cv::Rect> out;
    if (source.image.empty() || a.glyphs.empty())
        return out;
    std::vector<int> heights;
    int top = source.image.rows, bottom = 0;
    for (const VizGlyph* g : a.glyphs) {
        heights.push_back(g->height);
        top = std::min(top, g->y);
        bottom = std::max(bottom, g->y + g->height);
    }
    std::ranges::nth_element(heights, heights.begin() + static_cast<std::ptrdiff_t>(heights.size() / 2));
    const int glyphH = heights[heights.size() / 2];
    cv::Mat ink, labels, stats, centroids;
    cv::threshold(source.image, ink, 128, 255, cv::THRESH_BINARY_INV);
    const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i) {
        const cv::Rect b(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                         stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        const int cy = b.y + b.height / 2;
        if (b.height >= 0.6 * glyphH && cy >= top && cy <= bottom)
            out.push_back(b);
    }
    std::ranges::sort(out, {}, [](const cv::Rect& r) { return r.x; });
    return out;
}

int centreX(const cv::Rect& r)
{
    return r.x + r.width / 2;
}

// Where a reading one character short lost a character under its neighbour's box ('4063NON1' for
// 4063N0N1J: the 1's box spans the 1 and the J): the x between the two blobs of that box, when the band
// holds one blob per character wanted and only one box holds two. -1 when not so.
int mergedGap(const ReadItem& source, std::size_t wanted)
{
    const Alnum a = alnumOf(source.text);
    const auto blobs = bandBlobs(source, a);
    if (a.text.size() + 1 != wanted || blobs.size() != wanted)
        return -1;
    int gap = -1;
    for (const VizGlyph* g : a.glyphs) {
        std::vector<cv::Rect> inside;
        for (const cv::Rect& b : blobs)
            if (g->x <= centreX(b) && centreX(b) < g->x + g->width)
                inside.push_back(b);
        if (inside.size() < 2)
            continue;
        if (inside.size() > 2 || gap >= 0)
            return -1;
        gap = (inside[0].x + inside[0].width + inside[1].x) / 2;
    }
    return gap;
}

// Aligns a reading with the MRZ's number. The LSTM reader sometimes stutters on look-alikes ("AMO0725032"
// for "AM0725032"): a reading one character too long is compared without each character that repeats or
// resembles its neighbour. It also loses a character now and then ("94337002" for "B94337402", "82ES8188"
// for "82ES818J8"): a reading one too short is compared with each character of the number left out, and
// tells nothing when one of those leaves no difference (it is then just the number with a character
// lost) or when two alignments explain it equally well (the place of the difference is unknown). The
// closest alignment stands for the reading; only it is checked glyph by glyph, and only when it is close
// enough to say anything.
std::optional<NumberMatch> bestNumberMatch(const Alnum& a, const std::string& mrzNumber, double minConf,
                                           const ReadItem* source, const GlyphReader* alone)
{
    // More differences than this neither confirm nor contradict. A reading of the number's length may have
    // one more: its doubtful glyphs are read again on their own ("AQFXJ49DU" for 49FXJ49DU: the A and the
    // Q are a 4 and a 9 alone).
    const int maxTelling = a.text.size() == mrzNumber.size() ? 3 : 2;
    constexpr auto kNone = std::string::npos;
    struct Candidate {
        Alnum read;
        std::size_t droppedAt = kNone;
    };
    std::vector<Candidate> candidates;
    if (a.text.size() == mrzNumber.size()) {
        candidates.push_back({a, kNone});
    } else if (a.text.size() == mrzNumber.size() + 1) {
        for (std::size_t k = 0; k < a.text.size(); ++k) {
            const bool stutter = (k > 0 && vizocr::lookalike(a.text[k], a.text[k - 1])) ||
                                 (k + 1 < a.text.size() && vizocr::lookalike(a.text[k], a.text[k + 1]));
            if (!stutter)
                continue;
            Alnum shorter = a;
            shorter.text.erase(k, 1);
            shorter.glyphs.erase(shorter.glyphs.begin() + static_cast<std::ptrdiff_t>(k));
            candidates.push_back({std::move(shorter), kNone});
        }
    } else if (a.text.size() + 1 == mrzNumber.size() && a.text.size() >= 4) {
        for (std::size_t d = 0; d <= a.text.size(); ++d)
            candidates.push_back({a, d});
    }
    if (candidates.empty())
        return std::nullopt;
    std::vector<int> misses;
    for (const auto& c : candidates)
        misses.push_back(rawMismatches(c.read.text, mrzNumber, c.droppedAt));
    const auto best = std::ranges::min_element(misses);
    const auto at = static_cast<std::size_t>(best - misses.begin());
    const bool lost = candidates[at].droppedAt != kNone;
    if (*best > maxTelling || (lost && (*best == 0 || std::ranges::count(misses, *best) > 1)))
        return std::nullopt;
    NumberMatch m = matchNumber(std::move(candidates[at].read), mrzNumber, candidates[at].droppedAt, minConf,
                                source, alone);
    m.lostCharacter = lost;
    return m;
}

// Document number: an item that agrees everywhere but in one confidently read character, which is no
// look-alike of the MRZ's, not among the reader's alternatives, and read so on its own too. A reading that
// lost a character must agree exactly elsewhere (it has already lost one character to doubt).
void judgeNumber(Field& f, const std::vector<ReadItem>& items, const std::string& mrzNumber, double minConf,
                 const GlyphReader* alone)
{
    f.mrzValue = mrzNumber;
    if (mrzNumber.size() < 5)
        return;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto m = bestNumberMatch(alnumOf(items[i].text), mrzNumber, minConf, &items[i], alone);
        if (!m)
            continue;
        const int softAllowed = m->lostCharacter ? 0 : 1;
        if (m->hard == 0 && m->soft <= softAllowed) {
            f.state = State::Confirmed;
            f.vizValue = m->read.text;
            f.item = static_cast<int>(i);
            return;
        }
        // Every other character equals the MRZ's, so the item is the number field: one confident,
        // unmistakable character that differs is an altered number.
        // A second, doubtful one (a look-alike of the MRZ's character) does not undo that.
        if (m->hard == 1 && m->soft <= softAllowed && f.state == State::Absent) {
            f.state = State::Differs;
            f.vizValue = m->read.text;
            f.item = static_cast<int>(i);
            f.at = static_cast<int>(m->at);
            f.seen = m->seen;
            f.seenAlone = m->seenAlone;
            f.evidence = m->confidence;
        }
    }
}

// True when @p text, not read as a date, still shows the day of the MRZ date @p yymmdd: its digits hold
// day and month run together ("2112200" for 21.12.2011), or a run of its digits is the day (a day before a
// month name).
bool showsMrzDay(std::string_view text, std::string_view yymmdd)
{
    if (yymmdd.size() != 6)
        return false;
    const std::string day(yymmdd.substr(4, 2)), dayMonth = day + std::string(yymmdd.substr(2, 2));
    std::string digits, run;
    bool dayRun = false;
    for (const char ch : std::string(text) + " ") {
        if (ch >= '0' && ch <= '9') {
            digits.push_back(ch);
            run.push_back(ch);
            continue;
        }
        dayRun = dayRun || run == day;
        run.clear();
    }
    return dayRun || digits.find(dayMonth) != std::string::npos;
}

// Dates: the MRZ date printed anywhere confirms it; a confidently read date of the same year and month
// but another day, with the MRZ date nowhere, is a different date (issue and expiry dates never share
// year and month with the date of birth or with each other on a valid document).
void judgeDate(Field& f, const std::vector<ReadItem>& items, const std::string& yymmdd,
               const std::string& otherYymmdd, double minConf)
{
    f.mrzValue = mrzDateText(yymmdd);
    if (yymmdd.size() != 6 || yymmdd.find_first_not_of("0123456789") != std::string::npos)
        return;
    const int yy = std::stoi(yymmdd.substr(0, 2)), mm = std::stoi(yymmdd.substr(2, 2));
    int candidate = -1;
    std::string candidateText;
    double candidateConf = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        for (const auto& [d, conf] : datesIn(items[i].text)) {
            if (vizocr::sameAsMrzDate(d, yymmdd)) {
                f.state = State::Confirmed;
                f.vizValue = vizDateText(d);
                f.item = static_cast<int>(i);
                return;
            }
            if (d.year % 100 == yy && d.month == mm && !vizocr::sameAsMrzDate(d, otherYymmdd) &&
                conf >= minConf && candidate < 0) {
                candidate = static_cast<int>(i);
                candidateText = vizDateText(d);
                candidateConf = conf;
            }
        }
    }
    if (candidate >= 0) {
        f.state = State::Differs;
        f.vizValue = candidateText;
        f.item = candidate;
        f.evidence = candidateConf;
    }
}

// Sex: a value of one character M, F or X (X for the MRZ's '<'). M against F is evidence, and so is M or F
// against an unspecified sex; only a glyph of the personal data's size counts (not a stray mark).
void judgeSex(Field& f, const std::vector<ReadItem>& items, const std::string& mrzSex, double minConf)
{
    const char want = mrzSex == "M" ? 'M' : mrzSex == "F" ? 'F' : 'X';
    auto opposes = [want](char c) {
        return (c == 'M' || c == 'F') && c != want;
    };
    f.mrzValue = std::string(1, want);
    std::vector<double> caps;
    for (const auto& it : items)
        caps.push_back(it.item.capHeightPx);
    std::ranges::sort(caps);
    const double dataCap = caps.empty() ? 0 : caps[caps.size() / 2];
    int other = -1;
    char otherChar = 0;
    bool ambiguous = false;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& t = items[i].text;
        const std::string letters = compact(t.text);
        if (letters.size() != 1 && !(letters.size() == 2 && (letters[0] == '-' || letters[0] == '.')))
            continue;
        const VizGlyph& glyph = t.glyphs.back();
        const char c = glyph.text;
        // Print smaller than the data's is a caption's or an emblem's letter, never the sex (a stray 'F'
        // of 16 px beside 27 px data confirmed an MRZ 'F' over the printed 'M').
        if ((c != 'M' && c != 'F' && c != 'X') || items[i].item.capHeightPx < kMinSexCapShare * dataCap)
            continue;
        if (c == want) {
            f.state = State::Confirmed;
            f.vizValue = std::string(1, c);
            f.item = static_cast<int>(i);
            return;
        }
        if (!opposes(c) || glyph.confidence < minConf || glyph.alternatives.find(want) != std::string::npos)
            continue;
        if (other >= 0 && otherChar != c)
            ambiguous = true;
        if (other < 0) {
            other = static_cast<int>(i);
            otherChar = c;
        }
    }
    if (other >= 0 && !ambiguous) {
        f.state = State::Differs;
        f.vizValue = std::string(1, otherChar);
        f.item = other;
        f.evidence = items[static_cast<std::size_t>(other)].text.glyphs.back().confidence;
    }
}

int findName(const std::vector<ReadItem>& items, const std::string& mrzName, bool truncated, double matchSim)
{
    int best = -1;
    double bestSim = matchSim;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!nameLike(items[i].text.text))
            continue;
        const double s = vizocr::nameSimilarity(mrzName, items[i].text.text, truncated);
        if (s >= bestSim) {
            bestSim = s;
            best = static_cast<int>(i);
        }
    }
    return best;
}

// @p b is the value one line above @p below (same column; @p cap: the lower value's cap height).
bool lineAbove(const cv::Rect& b, const cv::Rect& below, double cap)
{
    const int gapPx = below.y - (b.y + b.height);
    const bool overlapsX = b.x < below.x + below.width && below.x < b.x + b.width;
    return gapPx >= -0.3 * cap && gapPx <= kMaxLineGapCaps * cap && overlapsX &&
           std::abs(b.x - below.x) <= 2.0 * cap;
}

// Surname: found by similarity; else, ICAO 9303-4 puts the surname field right above the given names, so
// the value directly above the given names, read confidently and unlike the MRZ surname, differs.
void judgeSurname(Field& f, Field& given, const std::vector<ReadItem>& items, const MrzRecord& rec,
                  double minConf, double matchSim, double mismatchSim, int captioned)
{
    const auto& fields = rec.fields;
    f.mrzValue = fields.surname;
    given.mrzValue = fields.givenNames;
    const int g =
        fields.givenNames.empty() ? -1 : findName(items, fields.givenNames, rec.namesTruncated, matchSim);
    if (g >= 0) {
        given.state = State::Confirmed;
        given.vizValue = items[static_cast<std::size_t>(g)].text.text;
        given.item = g;
    }
    const int s = findName(items, fields.surname, rec.namesTruncated, matchSim);
    if (s >= 0 && s != g) {
        f.state = State::Confirmed;
        f.vizValue = items[static_cast<std::size_t>(s)].text.text;
        f.item = s;
        return;
    }
    // The surname's value: the one under its caption when that was found, else the one right above the
    // given names (9303-4 field order).
    int above = captioned != g ? captioned : -1;
    if (above < 0 && g >= 0) {
        const cv::Rect gb = items[static_cast<std::size_t>(g)].item.boxPx;
        const double cap = items[static_cast<std::size_t>(g)].item.capHeightPx;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (static_cast<int>(i) == g || !lineAbove(items[i].item.boxPx, gb, cap))
                continue;
            if (above < 0 || items[i].item.boxPx.y > items[static_cast<std::size_t>(above)].item.boxPx.y)
                above = static_cast<int>(i);
        }
    }
    if (above < 0)
        return;
    const auto& t = items[static_cast<std::size_t>(above)].text;
    const auto& box = items[static_cast<std::size_t>(above)].item;
    const int mrzLetters = letterCount(fields.surname);
    // Physical evidence, independent of the reading: a surname of many MRZ letters cannot be printed
    // as one or two glyphs (transliteration shortens a name by a third at most, truncation only
    // lengthens the VIZ form).
    if (mrzLetters >= kMinLettersForSizeEvidence && box.characters * 3 <= mrzLetters &&
        box.boxPx.width < kMaxShortNameWidthPerLetter * mrzLetters * box.capHeightPx &&
        vizocr::nameSimilarity(fields.surname, t.text, rec.namesTruncated) < mismatchSim) {
        f.state = State::Differs;
        f.vizValue = t.text.empty() ? std::string(static_cast<std::size_t>(box.characters), '?') : t.text;
        f.item = above;
        f.at = kSizeEvidence;
        f.evidence = 1.0;
        return;
    }
    if (nameDiffers(t, rec, minConf, matchSim, mismatchSim)) {
        f.state = State::Differs;
        f.vizValue = t.text;
        f.item = above;
        f.evidence = alnumConfidence(t);
    }
}

constexpr unsigned kNumberBit = 1, kSurnameBit = 2, kGivenBit = 4, kBirthBit = 8, kExpiryBit = 16,
                   kSexBit = 32;
constexpr unsigned kDateBits = kBirthBit | kExpiryBit;
constexpr unsigned kAllBits = 63;

struct Fields {
    Field number{"document_number", "document number", "documentnummer"};
    Field surname{"surname", "surname", "achternaam"};
    Field given{"given_names", "given names", "voornamen"};
    Field birth{"birth_date", "date of birth", "geboortedatum"};
    Field expiry{"expiry_date", "date of expiry", "vervaldatum"};
    Field sex{"sex", "sex", "geslacht"};

    [[nodiscard]] unsigned openMask() const
    {
        unsigned m = 0;
        m |= number.state == State::Confirmed ? 0 : kNumberBit;
        m |= surname.state == State::Confirmed ? 0 : kSurnameBit;
        m |= given.state == State::Confirmed ? 0 : kGivenBit;
        m |= birth.state == State::Confirmed ? 0 : kBirthBit;
        m |= expiry.state == State::Confirmed ? 0 : kExpiryBit;
        m |= sex.state == State::Confirmed ? 0 : kSexBit;
        return m;
    }
    [[nodiscard]] bool allConfirmed() const { return openMask() == 0; }
    [[nodiscard]] int count(State s) const
    {
        return (number.state == s) + (surname.state == s) + (given.state == s) + (birth.state == s) +
               (expiry.state == s) + (sex.state == s);
    }
    [[nodiscard]] int confirmed() const { return count(State::Confirmed); }
    [[nodiscard]] int differing() const { return count(State::Differs); }
};

Fields judgeAll(const std::vector<ReadItem>& items, const MrzRecord& rec, const std::string& mrzNumber,
                double minConf, double matchSim, double mismatchSim, const GlyphReader* alone,
                int captionedSurname = -1)
{
    Fields f;
    judgeNumber(f.number, items, mrzNumber, minConf, alone);
    judgeSurname(f.surname, f.given, items, rec, minConf, matchSim, mismatchSim, captionedSurname);
    judgeDate(f.birth, items, rec.fields.birthDate, rec.fields.expiryDate, minConf);
    judgeDate(f.expiry, items, rec.fields.expiryDate, rec.fields.birthDate, minConf);
    judgeSex(f.sex, items, rec.fields.sex, minConf);
    return f;
}

// How many characters (connected components) each field's value should show in the VIZ.
struct Expected {
    int number = 0;
    int surname = 0;
    int given = 0;
    bool truncated = false;
};

Expected expectedCounts(const MrzRecord& rec, const std::string& mrzNumber)
{
    return {static_cast<int>(mrzNumber.size()), letterCount(rec.fields.surname),
            letterCount(rec.fields.givenNames), rec.namesTruncated};
}

// A name of n MRZ letters shows fewer in the VIZ where 9303-3 digraphs (AE, OE, UE, AA) stand for one
// letter and one fewer where two letters touch at a small scale ("LÆTITIA": 5 components for LAETITIA), a
// few more where diacritics, apostrophes or a damaged glyph split into parts; a truncated MRZ name may be
// much longer in the VIZ.
bool nameSized(int components, int mrzLetters, bool truncated)
{
    if (mrzLetters <= 0)
        return false;
    const int low = mrzLetters - std::max(2, mrzLetters / 3) - 1;
    const int high = truncated ? 1000 : mrzLetters + 3;
    return components >= low && components <= high;
}

// Which fields an item may hold, judged from its size alone (no OCR).
unsigned possibleFields(const vizocr::TextItem& it, const Expected& e)
{
    const int n = it.characters;
    unsigned m = 0;
    if (e.number >= 5 && std::abs(n - e.number) <= 1)
        m |= kNumberBit;
    if (n <= 2)
        m |= kSexBit;
    if (nameSized(n, e.surname, e.truncated))
        m |= kSurnameBit;
    if (nameSized(n, e.given, e.truncated))
        m |= kGivenBit;
    // "12.03.85" to "12 MAR/MARS 1985": 6 to 16 marks (dots may fall below the character size); a longer
    // item may hold a date with the value printed beside it on the same baseline.
    if (n >= kMinDateChars && n <= kMaxDateChars + kMaxNeighbourChars)
        m |= kDateBits;
    return m;
}

// One glyph (sex, document code) is read as one character: the line reader turns a lone F into '-'.
VizReadOptions optionsFor(const vizocr::TextItem& it, const VizReadOptions& base)
{
    VizReadOptions o = base;
    if (it.characters == 1) {
        o.singleCharacter = true;
        o.whitelist = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    }
    return o;
}

// A caption that names the surname field in one of the languages 9303 documents print it in ("Surname /
// Nom", "Name/Surname/Nom", "Apellidos", "Naam", "Cognome", "Nazwisko"), and not the given names
// ("Given names / Prénoms" holds NAMES and PRENOMS, no whole word NOM or NAME).
bool namesSurnameCaption(std::string_view text)
{
    constexpr std::array<std::string_view, 14> kSurname{
        "SURNAME",  "SURNAMES", "NOM",      "NAME",      "APELLIDOS", "NAAM",      "COGNOME",
        "NACHNAME", "NAZWISKO", "PRIJMENI", "SOBRENOME", "EFTERNAMN", "ETTERNAVN", "SUKUNIMI"};
    constexpr std::array<std::string_view, 8> kGiven{"GIVEN",     "PRENOMS",  "PRENOM", "NOMBRES",
                                                     "VOORNAMEN", "VORNAMEN", "NOMI",   "FORENAMES"};
    // Fine print is often misread by a letter ("SURMAME / NOT"): a long word may differ in one place.
    const auto names = [](std::string_view word, std::span<const std::string_view> list) {
        return std::ranges::any_of(list, [&](std::string_view w) {
            if (w == word)
                return true;
            if (w.size() != word.size() || w.size() < 6)
                return false;
            int differ = 0;
            for (std::size_t i = 0; i < w.size(); ++i)
                differ += w[i] != word[i] ? 1 : 0;
            return differ <= 1;
        });
    };
    bool surname = false;
    std::size_t at = 0;
    while (at < text.size()) {
        while (at < text.size() && !(text[at] >= 'A' && text[at] <= 'Z'))
            ++at;
        std::size_t end = at;
        while (end < text.size() && text[end] >= 'A' && text[end] <= 'Z')
            ++end;
        const std::string_view word = text.substr(at, end - at);
        if (names(word, kGiven))
            return false;
        // A caption cut by the background's lines ("URNAM" of "Surname"): a piece of SURNAME that holds its
        // URN, which no given-names caption has.
        const bool piece = word.size() >= 4 && word.find("URN") != std::string_view::npos &&
                           std::string_view("SURNAMES").find(word) != std::string_view::npos;
        surname = surname || names(word, kSurname) || piece;
        at = end;
    }
    return surname;
}

// The value item right below @p caption (its top within a couple of value heights of the caption's
// bottom, starting near the caption's left edge), or -1.
int valueBelow(const std::vector<vizocr::TextItem>& values, const vizocr::TextItem& caption)
{
    const cv::Rect cb = caption.boxPx;
    int best = -1;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const cv::Rect b = values[i].boxPx;
        const double cap = values[i].capHeightPx;
        const int gapPx = b.y - (cb.y + cb.height);
        if (gapPx < -0.3 * cap || gapPx > 1.5 * cap || std::abs(b.x - cb.x) > 1.5 * cap)
            continue;
        if (best < 0 || b.y < values[static_cast<std::size_t>(best)].boxPx.y)
            best = static_cast<int>(i);
    }
    return best;
}

// The item right above @p below (same column, within a few lines), or -1.
int itemAbove(const std::vector<vizocr::TextItem>& all, const vizocr::TextItem& below)
{
    const cv::Rect gb = below.boxPx;
    const double cap = below.capHeightPx;
    int above = -1;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].boxPx == gb || !lineAbove(all[i].boxPx, gb, cap))
            continue;
        if (above < 0 || all[i].boxPx.y > all[static_cast<std::size_t>(above)].boxPx.y)
            above = static_cast<int>(i);
    }
    return above;
}

// The first value under the header line that holds the document number, at the data column's left edge:
// ICAO 9303-4 opens the personal data (zone II) with the surname. Only when it stands one line pitch
// under the header, the pitch of the column's own lines: a surname the text finder missed must not make
// the given names or the nationality stand in for it. -1 when there is none such.
int firstUnderHeader(const std::vector<vizocr::TextItem>& all, const vizocr::TextItem& number)
{
    const double cap = number.capHeightPx;
    const double headerY = number.boxPx.y + number.boxPx.height / 2.0;
    auto dataSized = [&](const vizocr::TextItem& it) {
        return it.capHeightPx >= 0.8 * cap;
    };
    int left = std::numeric_limits<int>::max();
    for (const auto& it : all)
        if (dataSized(it))
            left = std::min(left, it.boxPx.x);
    std::vector<double> column; // centres of the column's lines below the header
    int first = -1;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const cv::Rect b = all[i].boxPx;
        const double y = b.y + b.height / 2.0;
        if (!dataSized(all[i]) || std::abs(b.x - left) > cap || y < headerY + cap)
            continue;
        column.push_back(y);
        if (first < 0 || b.y < all[static_cast<std::size_t>(first)].boxPx.y)
            first = static_cast<int>(i);
    }
    std::ranges::sort(column);
    if (first < 0 || column.size() < 3)
        return -1;
    std::vector<double> steps;
    for (std::size_t i = 1; i < column.size(); ++i)
        steps.push_back(column[i] - column[i - 1]);
    std::ranges::nth_element(steps, steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2));
    const double pitch = steps[steps.size() / 2];
    return std::abs(column.front() - headerY - pitch) <= 0.35 * pitch ? first : -1;
}

} // namespace

CheckOutcome checkVizMrzConsistency(const CheckContext& ctx, VizTextReader* reader)
{
    CheckOutcome c;
    c.id = kId;
    if (reader == nullptr) {
        c.result = CheckResult::NotSupported;
        c.reason.en = "Not checked: no text reader for the visual zone is configured on this scanner.";
        c.reason.nl =
            "Niet gecontroleerd: op deze scanner is geen tekstlezer voor de visuele zone ingesteld.";
        return c;
    }
    if (ctx.mrz == nullptr) {
        c.result = CheckResult::Undetermined;
        c.reason.en = "Not compared: the MRZ could not be read.";
        c.reason.nl = "Niet vergeleken: de MRZ kon niet worden gelezen.";
        return c;
    }
    // The MRZ is the reference only when it holds together: a misread (or altered) MRZ that fails its
    // own check digits or syntax would make every field "differ". mrz.check_digits and mrz.structure
    // report that case; this check has nothing reliable to compare with.
    if (!ctx.mrz->record.checkDigitsValid() || !ctx.mrz->record.structureValid()) {
        c.result = CheckResult::Undetermined;
        c.reason.en = "Not compared: the MRZ fails its own check digits or syntax, so it cannot serve as the "
                      "reference for the printed data.";
        c.reason.nl = "Niet vergeleken: de MRZ voldoet zelf niet aan de controlecijfers of de opbouw en kan "
                      "dus niet als referentie voor de gedrukte gegevens dienen.";
        return c;
    }
    const double minConf = ctx.threshold("viz.mrz_consistency.min_char_confidence");
    const double matchSim = ctx.threshold("viz.mrz_consistency.name_match_similarity");
    const double mismatchSim = ctx.threshold("viz.mrz_consistency.name_mismatch_similarity");
    const double minConfirmed = ctx.threshold("viz.mrz_consistency.min_fields_confirmed");

    // The personal data is printed in IR-absorbing ink while labels and background print drop out under
    // IR (9303-2): read the IR image where there is one, the white image otherwise or when IR shows none.
    cv::Mat whiteGrey;
    cv::cvtColor(ctx.white, whiteGrey, cv::COLOR_BGR2GRAY);
    const cv::Rect roi = toPixels(ctx.zones.viz, ctx.pixelsPerMm, whiteGrey.size());
    vizocr::TextLayer layer;
    bool fromIr = false;
    if (!ctx.ir.empty()) {
        layer = vizocr::findText(ctx.ir, roi, ctx.pixelsPerMm);
        fromIr = layer.items.size() >= 3;
    }
    if (!fromIr)
        layer = vizocr::findText(whiteGrey, roi, ctx.pixelsPerMm);
    if (layer.items.size() > kMaxItems)
        layer.items.resize(kMaxItems);

    const MrzRecord& rec = ctx.mrz->record;
    const std::string mrzNumber = compact(rec.fields.documentNumber);
    const Expected expected = expectedCounts(rec, mrzNumber);
    std::vector<ReadItem> items;
    std::vector<char> tried(layer.items.size(), 0);
    VizReadOptions options;
    // A glyph or a short value out of its line's context: @p box of @p image (a little wider, for the
    // anti-aliased edge) printed three times, a glyph height apart, on white, and read as a line; the three
    // readings must agree. Tesseract's LSTM reads a lone glyph badly in every single-glyph mode (single
    // character: nothing, or a clear '0' at 0.39, or 'FE' for an 'F'; single word: often nothing), and a
    // clean two-letter value ("LI") as nothing in both line and word modes, while three copies make a line
    // like those it was trained on. Even so it now and then names a clean glyph wrongly and surely (a '7'
    // as 'E' at 0.98, the same '7' at another scale right), so the strip is read at two scales: with
    // @p bothScales each must read its copies alike and the two must agree; without, one scale whose copies
    // agree suffices, but two that name different text still say nothing.
    auto readThrice = [&](const cv::Mat& image, cv::Rect box, const char* whitelist, bool bothScales,
                          std::string* seen = nullptr) -> std::optional<VizLineText> {
        constexpr int kCopies = 3;
        // The piece's paper made white like the strip's: the edges of a grey patch on white read as strokes
        // (a clean 'C' and a clean '7' alone came back 'EEE' at 0.97, at both scales).
        cv::Rect outer;
        const cv::Mat paperWhite = cleanPiece(image, box, outer);
        if (paperWhite.empty())
            return std::nullopt;
        box = outer;
        VizReadOptions o = options;
        o.whitelist = whitelist;
        std::optional<VizLineText> out;
        for (const double scale : {1.0, kRereadScale}) {
            cv::Mat piece = paperWhite;
            if (scale != 1.0)
                cv::resize(piece, piece, cv::Size(), scale, scale, cv::INTER_CUBIC);
            const int margin = piece.rows;
            cv::Mat strip(piece.rows + 2 * (margin / 2), kCopies * piece.cols + (kCopies + 1) * margin,
                          CV_8UC1, cv::Scalar(255));
            for (int k = 0; k < kCopies; ++k)
                piece.copyTo(
                    strip(cv::Rect(margin + k * (piece.cols + margin), margin / 2, piece.cols, piece.rows)));
            const ImageView v{strip.data, strip.cols, strip.rows, static_cast<int>(strip.step),
                              PixelFormat::Gray8};
            const auto r = reader->readLine(v, o);
            // Only a reading with a glyph for every copy saw the glyph: "1 1 1" once came back as one '2'.
            if (r && seen != nullptr && r->glyphs.size() >= kCopies)
                for (const auto& g : r->glyphs)
                    seen->push_back(g.text);
            // The glyphs of each copy: one each when there are as many as copies (the boxes of copies read
            // as one word, "JJ J", are not where the copies are), else by where their centre lies.
            std::array<VizLineText, kCopies> copies;
            bool placed = r.has_value() && !r->glyphs.empty();
            for (std::size_t i = 0; placed && i < r->glyphs.size(); ++i) {
                const VizGlyph& g = r->glyphs[i];
                const int k = r->glyphs.size() == kCopies
                                  ? static_cast<int>(i)
                                  : (g.x + g.width / 2 - margin / 2) / (piece.cols + margin);
                placed = g.width > 0 && k >= 0 && k < kCopies;
                if (placed) {
                    copies[static_cast<std::size_t>(k)].text.push_back(g.text);
                    copies[static_cast<std::size_t>(k)].glyphs.push_back(g);
                }
            }
            placed = placed && !copies[0].text.empty() &&
                     std::ranges::all_of(copies,
                                         [&](const VizLineText& one) { return one.text == copies[0].text; });
            if (!placed) {
                if (bothScales)
                    return std::nullopt;
                continue;
            }
            VizLineText t;
            t.text = copies[0].text;
            t.minConfidence = 1;
            double sum = 0;
            for (std::size_t j = 0; j < t.text.size(); ++j) {
                VizGlyph g = copies[0].glyphs[j];
                std::array<float, kCopies> confidences{};
                for (std::size_t k = 0; k < kCopies; ++k) {
                    const VizGlyph& copy = copies[k].glyphs[j];
                    confidences[k] = copy.confidence;
                    for (const char a : copy.alternatives)
                        if (g.alternatives.find(a) == std::string::npos)
                            g.alternatives.push_back(a);
                }
                // The median: copies that touch their neighbour ("FF F") are read as one word, less surely.
                std::ranges::sort(confidences);
                g.confidence = confidences[kCopies / 2];
                // Back into @p image's pixels.
                g.x = box.x + static_cast<int>(std::lround((g.x - margin) / scale));
                g.y = box.y + static_cast<int>(std::lround((g.y - margin / 2) / scale));
                g.width = static_cast<int>(std::lround(g.width / scale));
                g.height = static_cast<int>(std::lround(g.height / scale));
                t.minConfidence = std::min(t.minConfidence, g.confidence);
                sum += g.confidence;
                t.glyphs.push_back(std::move(g));
            }
            t.meanConfidence = static_cast<float>(sum / static_cast<double>(t.glyphs.size()));
            if (!out) {
                out = std::move(t);
                continue;
            }
            if (t.text != out->text)
                return std::nullopt;
            for (std::size_t j = 0; j < t.glyphs.size(); ++j) {
                VizGlyph& g = out->glyphs[j];
                g.confidence = std::min(g.confidence, t.glyphs[j].confidence);
                for (const char a : t.glyphs[j].alternatives)
                    if (g.alternatives.find(a) == std::string::npos)
                        g.alternatives.push_back(a);
            }
            out->minConfidence = std::min(out->minConfidence, t.minConfidence);
            out->meanConfidence = std::min(out->meanConfidence, t.meanConfidence);
        }
        return out;
    };
    // One glyph, read alone (both scales). Copies read unlike ("9997") make a doubt that lists every
    // character seen in two copies or more: the MRZ's among them is no difference (a forged '4' read
    // '44 40' once hid behind the one '0').
    auto readGlyph = [&](const cv::Mat& image, cv::Rect box,
                         const char* whitelist) -> std::optional<VizGlyph> {
        std::string seen;
        auto t = readThrice(image, box, whitelist, true, &seen);
        if (t && t->glyphs.size() == 1)
            return t->glyphs.front();
        VizGlyph doubt;
        doubt.confidence = 0;
        for (const char ch : seen)
            if (std::ranges::count(seen, ch) >= 2 && doubt.alternatives.find(ch) == std::string::npos)
                doubt.alternatives.push_back(ch);
        if (doubt.alternatives.empty())
            return std::nullopt;
        return doubt;
    };
    // An item's reading: raw-line mode, a word read for short items that mode drops ("LI"), and a lone
    // glyph (the sex) read as one glyph on its own when the reader does not give exactly one letter.
    auto readValue = [&](const cv::Mat& img, const vizocr::TextItem& it) {
        const ImageView v{img.data, img.cols, img.rows, static_cast<int>(img.step), PixelFormat::Gray8};
        auto r = reader->readLine(v, optionsFor(it, options));
        if (r && r->text.empty() && it.characters <= kShortItemChars) {
            VizReadOptions o = options;
            o.singleWord = true;
            r = reader->readLine(v, o);
        }
        // Not the one glyph of a lone value (the sex), or nothing of a short one: the value printed three
        // times.
        const bool lone = it.characters == 1 && r && compact(r->text).size() != 1;
        const bool shortLost =
            it.characters > 1 && it.characters <= kShortItemChars && r && compact(r->text).empty();
        if (lone || shortLost) {
            cv::Mat inkMask;
            cv::threshold(img, inkMask, 128, 255, cv::THRESH_BINARY_INV);
            auto t = readThrice(img, cv::boundingRect(inkMask),
                                lone ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                                false);
            if (t && (!lone || t->glyphs.size() == 1))
                r = std::move(*t);
        }
        return r;
    };
    // A reading one short of the number with a box over two glyphs is read again with the two set apart
    // (the reader takes a glyph that nearly touches its neighbour for part of it): @p img becomes that
    // image when the new reading has the number's length.
    auto spreadMerged = [&](cv::Mat& img, const vizocr::TextItem& it, auto& r) {
        if (!r)
            return;
        const int gap = mergedGap(ReadItem{it, *r, img}, mrzNumber.size());
        if (gap <= 0 || gap >= img.cols)
            return;
        cv::Mat spread(img.rows, img.cols + static_cast<int>(kTargetCapPx / 2), img.type(), cv::Scalar(255));
        img.colRange(0, gap).copyTo(spread.colRange(0, gap));
        img.colRange(gap, img.cols).copyTo(spread.colRange(spread.cols - (img.cols - gap), spread.cols));
        auto again = readValue(spread, it);
        if (again && alnumOf(*again).text.size() == mrzNumber.size()) {
            img = spread;
            r = std::move(again);
        }
    };
    auto readItem = [&](std::size_t i) {
        tried[i] = 1;
        const auto& it = layer.items[i];
        cv::Mat img = vizocr::itemImage(layer, it, kTargetCapPx, kPadCaps);
        auto r = readValue(img, it);
        spreadMerged(img, it, r);
        if (r && !r->text.empty())
            items.emplace_back(it, std::move(*r), img);
    };
    // A glyph of a reading re-read on its own (letters and digits), once.
    const GlyphReader alone = [&](const ReadItem& from, std::size_t glyph) -> std::optional<VizGlyph> {
        if (const auto hit = from.alone.find(glyph); hit != from.alone.end())
            return hit->second;
        const VizGlyph& g = from.text.glyphs.at(glyph);
        auto out = readGlyph(from.image, cv::Rect(g.x, g.y, g.width, g.height),
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        from.alone.emplace(glyph, out);
        return out;
    };

    Fields fields = judgeAll(items, rec, mrzNumber, minConf, matchSim, mismatchSim, &alone);
    // Read the items that can hold a field still open: first those whose size names one field (number,
    // sex, names), then the date-sized ones; stop once every field agrees with the MRZ. A field that
    // differs stays open so that a better read elsewhere can still confirm it.
    for (int pass = 0; pass < 3 && !fields.allConfirmed(); ++pass) {
        if (pass == 2 && fields.confirmed() >= minConfirmed && fields.differing() == 0)
            break; // the rest is labels, places and authorities: not worth the reading time
        for (std::size_t i = 0; i < layer.items.size() && !fields.allConfirmed(); ++i) {
            if (tried[i] != 0)
                continue;
            const unsigned may = possibleFields(layer.items[i], expected);
            const unsigned wanted = pass == 0 ? may & ~kDateBits : pass == 1 ? may & kDateBits : kAllBits;
            if ((wanted & fields.openMask()) == 0)
                continue;
            readItem(i);
            fields = judgeAll(items, rec, mrzNumber, minConf, matchSim, mismatchSim, &alone);
        }
    }
    // ICAO 9303-4 puts the surname right above the given names: read that item too when the surname is
    // still unseen (an altered surname has another length, so no size pointed at it).
    if (fields.surname.state == State::Absent && fields.given.state == State::Confirmed) {
        const auto above = itemAbove(layer.items, items[static_cast<std::size_t>(fields.given.item)].item);
        if (above >= 0 && tried[static_cast<std::size_t>(above)] == 0) {
            readItem(static_cast<std::size_t>(above));
            fields = judgeAll(items, rec, mrzNumber, minConf, matchSim, mismatchSim, &alone);
        }
    }
    // Still no surname (a truncated MRZ name with no given names to anchor it, or given names that were
    // not found): the value under the surname's caption. Captions are fine print that drops out under
    // IR, so they come from the white image; they are read only here, one by one until that caption.
    int captionedSurname = -1;
    if (fields.surname.state == State::Absent) {
        const vizocr::TextLayer captionLayer =
            fromIr ? vizocr::findText(whiteGrey, roi, ctx.pixelsPerMm) : layer;
        VizReadOptions captionOptions = options;
        captionOptions.whitelist = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/.";
        const std::size_t count = std::min(captionLayer.captions.size(), kMaxCaptionsRead);
        for (std::size_t k = 0; k < count && captionedSurname < 0; ++k) {
            const auto& caption = captionLayer.captions[k];
            const cv::Mat img = vizocr::itemImage(captionLayer, caption, kTargetCapPx, kPadCaps);
            const ImageView v{img.data, img.cols, img.rows, static_cast<int>(img.step), PixelFormat::Gray8};
            auto text = reader->readLine(v, captionOptions);
            if (text)
                for (char& ch : text->text)
                    ch = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
            if (!text || !namesSurnameCaption(text->text))
                continue;
            const int value = valueBelow(layer.items, caption);
            if (value < 0)
                break;
            if (tried[static_cast<std::size_t>(value)] == 0)
                readItem(static_cast<std::size_t>(value));
            const auto& valueItem = layer.items[static_cast<std::size_t>(value)];
            const auto at = std::ranges::find_if(
                items, [&](const ReadItem& r) { return r.item.boxPx == valueItem.boxPx; });
            captionedSurname = static_cast<int>(at - items.begin());
            // Unreadable (Tesseract reads a clean "LI" as "Ll" or "uu"): its size may still tell.
            if (at == items.end())
                items.emplace_back(valueItem, VizLineText{}, cv::Mat{});
            break;
        }
        // No caption either: the first value of the personal data, when it reads.
        if (captionedSurname < 0 && fields.number.item >= 0) {
            const int value =
                firstUnderHeader(layer.items, items[static_cast<std::size_t>(fields.number.item)].item);
            if (value >= 0 && tried[static_cast<std::size_t>(value)] == 0)
                readItem(static_cast<std::size_t>(value));
            const auto at = value < 0 ? items.end() : std::ranges::find_if(items, [&](const ReadItem& r) {
                return r.item.boxPx == layer.items[static_cast<std::size_t>(value)].boxPx;
            });
            if (at != items.end())
                captionedSurname = static_cast<int>(at - items.begin());
        }
        if (captionedSurname >= 0)
            fields =
                judgeAll(items, rec, mrzNumber, minConf, matchSim, mismatchSim, &alone, captionedSurname);
    }
    // The other view of an item: white light when the items were read under IR, else another scale.
    auto otherView = [&](const vizocr::TextItem& it, double& capPx) {
        capPx = kTargetCapPx * kRereadScale;
        if (!fromIr)
            return layer;
        capPx = kTargetCapPx;
        const int pad = static_cast<int>(std::lround(2.0 * ctx.pixelsPerMm));
        const cv::Rect b = it.boxPx;
        return vizocr::findText(whiteGrey,
                                cv::Rect(b.x - pad, b.y - pad, b.width + 2 * pad, b.height + 2 * pad),
                                ctx.pixelsPerMm);
    };
    // A date still unseen while items of a date's size read as no date at all: IR garbles a date now and
    // then ('41074' for 13.11.1974, 'I DEC/DEC 1974' for 11 DEC) that white light reads cleanly. Those
    // items are read once more in the other view; a difference found there is verified in that view.
    if (fields.birth.state == State::Absent || fields.expiry.state == State::Absent) {
        int reread = 0;
        const std::size_t count = items.size();
        for (std::size_t i = 0; i < count && reread < kMaxDateRereads; ++i) {
            if (items[i].otherView || (possibleFields(items[i].item, expected) & kDateBits) == 0 ||
                !datesIn(items[i].text).empty() ||
                std::ranges::count_if(items[i].text.text, [](char ch) { return ch >= '0' && ch <= '9'; }) < 3)
                continue;
            ++reread;
            const vizocr::TextItem it = items[i].item;
            double capPx = 0;
            const vizocr::TextLayer view = otherView(it, capPx);
            const cv::Mat img = vizocr::itemImage(view, it, capPx, kPadCaps);
            auto again = readValue(img, it);
            if (!again || again->text.empty())
                continue;
            items.emplace_back(it, std::move(*again), img);
            items.back().otherView = true;
        }
        if (reread > 0)
            fields =
                judgeAll(items, rec, mrzNumber, minConf, matchSim, mismatchSim, &alone, captionedSurname);
    }
    Field& number = fields.number;
    Field& surname = fields.surname;
    Field& given = fields.given;
    Field& birth = fields.birth;
    Field& expiry = fields.expiry;
    Field& sex = fields.sex;

    // A difference must survive a second, independent read of the same item (the other light, or another
    // scale): one OCR slip must not make a RED. A second read that neither shows the difference nor
    // contradicts it (shows the MRZ's value) is a slip of its own ("41.10.1954" for an 11.10.1954 printed
    // over the white light's rosette): a third read, of the first read's light at a scale not read yet,
    // decides then.
    enum class Again { Same, Contradicts, Neither };
    std::vector<Field*> all{&number, &surname, &given, &birth, &expiry, &sex};
    for (Field* f : all) {
        if (f->state != State::Differs || f->at == kSizeEvidence)
            continue;
        const auto& first = items[static_cast<std::size_t>(f->item)];
        double scale = kTargetCapPx;
        // A reading of the other view is verified there, at the scales it was not read at.
        const vizocr::TextLayer other = otherView(first.item, scale);
        double thirdScale = fromIr ? kTargetCapPx * kRereadScale : kTargetCapPx / kRereadScale;
        if (first.otherView) {
            scale = fromIr ? kTargetCapPx * kRereadScale : kTargetCapPx / kRereadScale;
            thirdScale = fromIr ? kTargetCapPx / kRereadScale : 0;
        }
        const auto readAgain = [&](const vizocr::TextLayer& from, double capPx) {
            cv::Mat img = vizocr::itemImage(from, first.item, capPx, kPadCaps);
            auto again = readValue(img, first.item);
            spreadMerged(img, first.item, again);
            if (!again)
                return Again::Neither;
            if (f == &number) {
                // It must differ in the same place in the same way. When the differing glyph was already
                // read twice (in its line, and alone), the second read of the line only has to not
                // contradict it: one that neither confirms nor differs (a stutter, a lost character)
                // leaves it standing.
                Field second{"document_number", "", ""};
                const std::vector<ReadItem> one{ReadItem{first.item, *again, img}};
                judgeNumber(second, one, mrzNumber, minConf, &alone);
                // The same glyph read as a look-alike of the first reading ('I' for '1') differs the same
                // way.
                if (second.state == State::Differs && second.at == f->at &&
                    (second.seen == f->seen || vizocr::lookalike(second.seen, f->seen)))
                    return Again::Same;
                if (second.state == State::Absent)
                    return f->seenAlone ? Again::Same : Again::Neither;
                return Again::Contradicts;
            }
            if (f == &birth || f == &expiry) {
                const auto dates = datesIn(*again);
                const std::string& mrzDate = f == &birth ? rec.fields.birthDate : rec.fields.expiryDate;
                if (std::ranges::any_of(dates, [&](const FoundDate& d) {
                        return vizDateText(d.date) == f->vizValue && d.confidence >= minConf;
                    }))
                    return Again::Same;
                if (std::ranges::any_of(
                        dates, [&](const FoundDate& d) { return vizocr::sameAsMrzDate(d.date, mrzDate); }))
                    return Again::Contradicts;
                // A reading that is no date may still show the MRZ's day: '2112200' for a genuine 21.12.2011
                // (the first light read 24 twice) is no slip to look past.
                return showsMrzDay(again->text, mrzDate) ? Again::Contradicts : Again::Neither;
            }
            if (f == &surname)
                return nameDiffers(*again, rec, minConf, matchSim, mismatchSim) ? Again::Same
                                                                                : Again::Contradicts;
            if (compact(again->text) == compact(first.text.text) && alnumConfidence(*again) >= minConf)
                return Again::Same;
            // A sex read as another letter ('R' for a clean 'F' in white light) is a slip of its own unless
            // it is the MRZ's.
            if (f == &sex && compact(again->text).find(f->mrzValue) == std::string::npos)
                return Again::Neither;
            return Again::Contradicts;
        };
        Again verdict = readAgain(other, scale);
        // Then the first read's own view, at a scale not read yet.
        if (verdict == Again::Neither && thirdScale > 0)
            verdict = readAgain(first.otherView ? other : layer, thirdScale);
        if (verdict != Again::Same) {
            f->state = State::Absent;
            f->vizValue.clear();
        }
    }

    int confirmed = 0, differing = 0;
    for (const Field* f : all) {
        confirmed += f->state == State::Confirmed ? 1 : 0;
        differing += f->state == State::Differs ? 1 : 0;
        c.measured.emplace_back(f->key, f->state == State::Confirmed ? 1.0
                                        : f->state == State::Differs ? -1.0
                                                                     : 0.0);
    }
    c.measured.emplace_back("fields_confirmed", confirmed);
    c.measured.emplace_back("fields_differing", differing);
    c.measured.emplace_back("items_read", static_cast<double>(items.size()));
    c.measured.emplace_back("read_under_ir", fromIr ? 1.0 : 0.0);

    auto regionOf = [&](const Field& f) {
        return toMm(items[static_cast<std::size_t>(f.item)].item.boxPx, ctx.pixelsPerMm);
    };
    if (differing > 0) {
        c.result = CheckResult::Failed;
        double evidence = 0;
        std::string en, nl;
        for (const Field* f : all) {
            if (f->state != State::Differs)
                continue;
            evidence = std::max(evidence, f->evidence);
            c.regions.push_back(regionOf(*f));
            if (!en.empty()) {
                en += "; ";
                nl += "; ";
            }
            en += std::string("the ") + f->en + " reads '" + f->vizValue + "' but the MRZ says '" +
                  f->mrzValue + "'";
            nl += std::string("de ") + f->nl + " luidt '" + f->vizValue + "' maar de MRZ zegt '" +
                  f->mrzValue + "'";
        }
        for (const auto& r : ctx.mrz->lineRegions)
            c.regions.push_back(r);
        c.measured.emplace_back("evidence_confidence", evidence);
        c.margin = -std::clamp((evidence - minConf) / std::max(1e-6, 1.0 - minConf), 0.1, 1.0);
        c.reason.en = "The printed personal data disagrees with the MRZ: " + en +
                      ". The data page may have been altered.";
        c.reason.nl = "De gedrukte persoonsgegevens wijken af van de MRZ: " + nl +
                      ". De personaliapagina is mogelijk gewijzigd.";
        return c;
    }
    for (const Field* f : all)
        if (f->state == State::Confirmed)
            c.regions.push_back(regionOf(*f));
    c.margin = marginOf(confirmed, minConfirmed - 0.5, 3.0, true);
    if (confirmed >= minConfirmed) {
        c.result = CheckResult::Successful;
        c.reason.en = "The printed personal data agrees with the MRZ (" + std::to_string(confirmed) +
                      " of 6 fields compared).";
        c.reason.nl = "De gedrukte persoonsgegevens komen overeen met de MRZ (" + std::to_string(confirmed) +
                      " van 6 velden vergeleken).";
    } else {
        c.result = CheckResult::Undetermined;
        c.reason.en = "The printed personal data could not be read well enough to compare it with the MRZ (" +
                      std::to_string(confirmed) + " of 6 fields found); nothing contradicts it.";
        c.reason.nl =
            "De gedrukte persoonsgegevens waren niet goed genoeg leesbaar om met de MRZ te vergelijken (" +
            std::to_string(confirmed) + " van 6 velden gevonden); niets spreekt de MRZ tegen.";
    }
    return c;
}

} // namespace gw::vision::checks
