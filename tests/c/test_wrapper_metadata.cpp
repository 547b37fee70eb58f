// The C++ wrapper's metadata (pixcodec::Metadata over pxc_metadata): built and edited in C++,
// written with EncodeOptions::metadata, read back by Registry::probe_metadata byte for byte,
// the dropped items in Report::metadata_dropped, the policy, TIFF tags kept as stored, and
// errors thrown as pixcodec::Error. C++17 and C++20 (make test-c).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "pixcodec.hpp"
#include "testutil.h"
#include "wrapperutil.hpp"

static std::vector<std::uint8_t> icc() {
    std::vector<std::uint8_t> v(1500);
    for (std::size_t i = 0; i < v.size(); i++) v[i] = static_cast<std::uint8_t>(i * 7 % 251);
    v[2] = 0x05;
    v[3] = 0xDC;
    v[36] = 'a'; v[37] = 'c'; v[38] = 's'; v[39] = 'p';
    return v;
}

int main() {
    std::vector<std::uint8_t> px(20 * 10 * 3);
    fill_pattern(px.data(), px.size(), 3);
    pxc_image_view v = pixcodec::view(px.data(), 20, 10, PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    const std::string xmp_text = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>";
    const std::vector<std::uint8_t> xmp(xmp_text.begin(), xmp_text.end());
    pixcodec::Registry reg = pixcodec::Registry::default_registry();

    pixcodec::Metadata m;
    m.set_icc_profile(icc()).set_xmp(xmp).set_orientation(3).set_resolution(300, 300, PXC_RESOLUTION_UNIT_INCH);
    m.add_text("Software", "pixcodec C++ test").add_text("Title", "\xe7\x8c\xab", "ja");
    CHECK(m.has(PXC_METADATA_ITEM_ICC_PROFILE) && !m.has(PXC_METADATA_ITEM_EXIF));

    // JPEG keeps ICC, XMP, the orientation (in a minimal EXIF block) and 300 dpi; no text.
    pixcodec::EncodeOptions opts;
    opts.metadata(m);
    pixcodec::Report r;
    std::vector<std::uint8_t> jpeg = reg.encode(v, "jpeg", &opts, &r);
    CHECK(r.metadata_dropped.size() == 2);
    if (r.metadata_dropped.size() == 2) {
        CHECK(r.metadata_dropped[0].item == "text 'Software'");
        CHECK(r.metadata_dropped[1].item == "text 'Title'");
        CHECK(!r.metadata_dropped[0].reason.empty());
    }
    pixcodec::Metadata got = reg.probe_metadata(jpeg);
    CHECK(got.icc_profile() == icc());
    CHECK(got.xmp() == xmp);
    CHECK(got.orientation() == 3);
    CHECK(got.exif().size() == 26); // the minimal block holding the orientation
    pixcodec::Resolution res = got.resolution();
    CHECK(res.x == 300 && res.y == 300 && res.unit == PXC_RESOLUTION_UNIT_INCH);
    CHECK(got.text().empty() && got.unreadable().empty());

    // PNG keeps the text entries (tEXt and iTXt with its language).
    std::vector<std::uint8_t> png = reg.encode(v, "png", &opts, &r);
    std::vector<pixcodec::TextEntry> text = reg.probe_metadata(png).text();
    CHECK(text.size() == 2);
    if (text.size() == 2) {
        CHECK(text[0].keyword == "Software" && text[0].value == "pixcodec C++ test" && text[0].language.empty());
        CHECK(text[1].keyword == "Title" && text[1].value == "\xe7\x8c\xab" && text[1].language == "ja");
    }
    // 300 dpi in whole pixels per metre is a rounding, and it is reported.
    CHECK(r.metadata_dropped.size() == 1 && r.metadata_dropped[0].item == "resolution");

    // The read metadata edited and written again: the encode report of the buffer path too.
    got.remove(PXC_METADATA_ITEM_ICC_PROFILE).add_text("Comment", "added");
    pixcodec::EncodeOptions o2;
    o2.metadata(got);
    pixcodec::Buffer buf;
    pixcodec::Report r2 = reg.encode_into(v, "npy", buf, &o2);
    CHECK(r2.metadata_dropped.size() == 5); // exif, orientation, xmp, resolution, text 'Comment'
    if (!r2.metadata_dropped.empty()) CHECK(r2.metadata_dropped[0].item == "exif");
    for (const pixcodec::MetadataNote &n : r2.metadata_dropped) CHECK(n.reason == "npy cannot store metadata");

    // STRICT refuses; STRIP writes nothing; clear_metadata forgets it.
    o2.metadata_policy(PXC_METADATA_POLICY_STRICT);
    CHECK(status_of([&] { reg.encode(v, "npy", &o2); }) == PXC_STATUS_NOT_EXACT);
    o2.metadata_policy(PXC_METADATA_POLICY_STRIP);
    std::vector<std::uint8_t> stripped = reg.encode(v, "png", &o2, &r);
    CHECK(r.metadata_dropped.empty() && !reg.probe_metadata(stripped).has(PXC_METADATA_ITEM_XMP));
    o2.metadata_policy(PXC_METADATA_POLICY_KEEP).clear_metadata();
    reg.encode(v, "npy", &o2, &r);
    CHECK(r.metadata_dropped.empty());

    // Animation timing: absent (0 ms, KEEP; 0 plays), set, written by GIF, dropped by PNG, removed.
    pixcodec::Metadata t;
    CHECK(!t.has(PXC_METADATA_ITEM_FRAME_TIMING) && !t.has(PXC_METADATA_ITEM_LOOP_COUNT));
    CHECK(t.frame_timing().delay_ms == 0 && t.frame_timing().disposal == PXC_DISPOSAL_KEEP && t.loop_count() == 0);
    t.set_frame_timing(70, PXC_DISPOSAL_BACKGROUND).set_loop_count(0);
    CHECK(t.has(PXC_METADATA_ITEM_FRAME_TIMING) && t.has(PXC_METADATA_ITEM_LOOP_COUNT));
    CHECK(t.frame_timing().delay_ms == 70 && t.frame_timing().disposal == PXC_DISPOSAL_BACKGROUND);
    CHECK(t.loop_count() == 0);
    std::vector<std::uint8_t> rgba(20 * 10 * 4);
    fill_pattern(rgba.data(), rgba.size(), 9);
    pixcodec::EncodeOptions ot;
    ot.metadata(t);
    pixcodec::Metadata tg = reg.probe_metadata(
        reg.encode(pixcodec::view(rgba.data(), 20, 10, PXC_LAYOUT_RGBA, PXC_SAMPLE_U8), "gif", &ot, &r));
    CHECK(r.metadata_dropped.empty());
    CHECK(tg.frame_timing().delay_ms == 70 && tg.frame_timing().disposal == PXC_DISPOSAL_BACKGROUND);
    CHECK(tg.has(PXC_METADATA_ITEM_LOOP_COUNT) && tg.loop_count() == 0);
    reg.encode(v, "png", &ot, &r);
    CHECK(r.metadata_dropped.size() == 2);
    if (r.metadata_dropped.size() == 2) {
        CHECK(r.metadata_dropped[0].item == "frame timing");
        CHECK(r.metadata_dropped[1].item == "loop count");
    }
    t.remove(PXC_METADATA_ITEM_FRAME_TIMING).remove(PXC_METADATA_ITEM_LOOP_COUNT);
    CHECK(!t.has(PXC_METADATA_ITEM_FRAME_TIMING) && !t.has(PXC_METADATA_ITEM_LOOP_COUNT));
    CHECK(status_of([&] { t.set_frame_timing(10, 3); }) == PXC_STATUS_INVALID_ARGUMENT);

    // Each page's own timing: loop3.gif frames 100 ms keep, 250 ms background, 70 ms previous
    // (tests/data/animation/expected.json); page 3 does not exist.
    {
        const std::string gif = std::string(PXC_TEST_DATA_DIR) + "/animation/loop3.gif";
        const std::uint32_t delays[3] = {100, 250, 70};
        const std::uint32_t disposals[3] = {PXC_DISPOSAL_KEEP, PXC_DISPOSAL_BACKGROUND, PXC_DISPOSAL_PREVIOUS};
        for (std::uint32_t k = 0; k < 3; k++) {
            pixcodec::Metadata p = reg.probe_metadata_page_file(gif, k);
            CHECK(p.frame_timing().delay_ms == delays[k] && p.frame_timing().disposal == disposals[k]);
        }
        CHECK(status_of([&] { reg.probe_metadata_page_file(gif, 3); }) == PXC_STATUS_INVALID_ARGUMENT);
    }

    // TIFF tags kept as stored: added (replaced by number, in ascending order), written by
    // TIFF and read back equal, dropped by PNG as "tiff tag N", refused when the bytes are not
    // `count` values, cleared.
    pixcodec::Metadata g;
    CHECK(!g.has(PXC_METADATA_ITEM_TIFF_TAGS) && g.tiff_tags().empty());
    const double scale[3] = {0.5, 0.5, 0.0};
    std::vector<std::uint8_t> scale_bytes(sizeof scale);
    std::memcpy(scale_bytes.data(), scale, sizeof scale);
    const std::string ascii = "WGS 84|";
    std::vector<std::uint8_t> ascii_bytes(ascii.begin(), ascii.end());
    ascii_bytes.push_back(0);
    g.add_tiff_tag(34737, 2, ascii_bytes.size(), ascii_bytes).add_tiff_tag(33550, 12, 3, std::vector<std::uint8_t>(24));
    g.add_tiff_tag(33550, 12, 3, scale_bytes);
    std::vector<pixcodec::TiffTag> gt = g.tiff_tags();
    CHECK(g.has(PXC_METADATA_ITEM_TIFF_TAGS) && gt.size() == 2);
    if (gt.size() == 2) {
        CHECK(gt[0].tag == 33550 && gt[0].field_type == 12 && gt[0].count == 3 && gt[0].value == scale_bytes);
        CHECK(gt[1].tag == 34737 && gt[1].field_type == 2 && gt[1].count == 8 && gt[1].value == ascii_bytes);
    }
    pixcodec::EncodeOptions og;
    og.metadata(g);
    std::vector<pixcodec::TiffTag> back = reg.probe_metadata(reg.encode(v, "tiff", &og, &r)).tiff_tags();
    CHECK(r.metadata_dropped.empty() && back.size() == 2);
    if (back.size() == 2) {
        CHECK(back[0].tag == 33550 && back[0].field_type == 12 && back[0].count == 3 && back[0].value == scale_bytes);
        CHECK(back[1].tag == 34737 && back[1].value == ascii_bytes);
    }
    reg.encode(v, "png", &og, &r);
    CHECK(r.metadata_dropped.size() == 2);
    if (r.metadata_dropped.size() == 2) {
        CHECK(r.metadata_dropped[0].item == "tiff tag 33550");
        CHECK(r.metadata_dropped[1].item == "tiff tag 34737");
    }
    CHECK(status_of([&] { g.add_tiff_tag(33550, 12, 3, std::vector<std::uint8_t>(23)); }) == PXC_STATUS_INVALID_ARGUMENT);
    CHECK(g.tiff_tags().size() == 2);
    g.clear_tiff_tags();
    CHECK(!g.has(PXC_METADATA_ITEM_TIFF_TAGS) && g.tiff_tags().empty());

    // Errors.
    CHECK(status_of([&] { m.set_orientation(0); }) == PXC_STATUS_INVALID_ARGUMENT);
    CHECK(status_of([&] { m.remove_text(9); }) == PXC_STATUS_INVALID_ARGUMENT);
    CHECK(status_of([&] { m.set_exif({'I', 'I', 42, 0, 9, 9, 0, 0}); }) == PXC_STATUS_INVALID_ARGUMENT);
    CHECK(status_of([&] { o2.metadata_policy(7); }) == PXC_STATUS_INVALID_ARGUMENT);
    CHECK(status_of([&] { reg.probe_metadata(std::vector<std::uint8_t>{1, 2, 3}); }) == PXC_STATUS_UNKNOWN_FORMAT);
    CHECK(status_of([&] { reg.probe_metadata_file("/nonexistent/file.png"); }) == PXC_STATUS_IO);
    return finish("test_wrapper_metadata");
}
