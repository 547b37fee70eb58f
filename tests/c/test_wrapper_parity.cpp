// The C++ wrapper's parity with the C API, on the built-in codecs: multi-page read/write
// (memory and files), std::istream/std::ostream and callable streams (with exceptions
// carried through the C library), the full encode report (pages, exact, lossy reason,
// verification), the registry listing, ML loading and dataset iteration, the version.
// Compiled as C++17 and C++20 (make test-c) and run under valgrind (make test-c-memcheck).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pixcodec.hpp"
#include "testutil.h"
#include "wrapperutil.hpp"

namespace fs = std::filesystem;

static bool same_pixels(const pixcodec::ImageRef &img, const void *px, std::size_t bytes) {
    return img.size() == bytes && std::memcmp(img.data(), px, bytes) == 0;
}

static void test_version() {
    std::string expect = std::to_string(PXC_VERSION_MAJOR) + "." + std::to_string(PXC_VERSION_MINOR) + "." +
                         std::to_string(PXC_VERSION_PATCH);
    CHECK(pixcodec::version() == expect);
    CHECK(pixcodec::version_number() == PXC_VERSION_NUMBER);
}

static void test_multi_page(const fs::path &dir) {
    auto reg = pixcodec::Registry::default_registry();
    // three pages of different size and pixel format
    std::vector<std::uint16_t> p0(5 * 3);
    std::vector<std::uint8_t> p1(7 * 2 * 3);
    std::vector<float> p2(4 * 4);
    for (std::size_t i = 0; i < p0.size(); i++) p0[i] = std::uint16_t(i * 4099u);
    for (std::size_t i = 0; i < p1.size(); i++) p1[i] = std::uint8_t(i * 7u);
    for (std::size_t i = 0; i < p2.size(); i++) p2[i] = float(i) * -0.375f;
    std::vector<pxc_image_view> pages = {
        pixcodec::view(p0.data(), 5, 3, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16),
        pixcodec::view(p1.data(), 7, 2, PXC_LAYOUT_RGB, PXC_SAMPLE_U8),
        pixcodec::view(p2.data(), 4, 4, PXC_LAYOUT_GRAY, PXC_SAMPLE_F32),
    };
    pixcodec::Report rep;
    std::vector<std::uint8_t> tiff = reg.encode_pages(pages, "tiff", nullptr, &rep);
    CHECK(rep.pages == 3 && rep.exact && rep.format == "tiff" && rep.bytes == tiff.size());
    CHECK(rep.lossy_reason.empty() && !rep.verified);
    CHECK(reg.probe(tiff).pages == 3);

    pixcodec::ImageList list = reg.decode_pages(tiff);
    CHECK(list.size() == 3 && !list.empty());
    if (list.size() == 3) {
        CHECK(list[0].width() == 5 && list[0].sample() == PXC_SAMPLE_U16 && same_pixels(list[0], p0.data(), p0.size() * 2));
        CHECK(list[1].layout() == PXC_LAYOUT_RGB && same_pixels(list[1], p1.data(), p1.size()));
        CHECK(list[2].samples<float>()[5] == p2[5] && same_pixels(list[2], p2.data(), p2.size() * 4));
        CHECK(status_of([&] { list[2].samples<std::uint8_t>(); }) == PXC_STATUS_INVALID_ARGUMENT);
    }
    CHECK(status_of([&] { list[3]; }) == PXC_STATUS_INVALID_ARGUMENT);

    // the pages of a decoded list encode again to the same file
    CHECK(reg.encode_pages(list.views(), "tiff") == tiff);

    // files: write_pages (format from the extension), read_pages, probe_file
    std::string path = (dir / "pages.tif").string();
    pixcodec::Report frep = reg.write_pages(pages, path);
    CHECK(frep.pages == 3 && frep.codec == rep.codec);
    CHECK(reg.probe_file(path).pages == 3);
    pixcodec::ImageList back = reg.read_pages(path);
    CHECK(back.size() == 3 && same_pixels(back[1], p1.data(), p1.size()));
    CHECK(reg.read(path).width() == 5); // first page

    // pages through a stream
    std::istringstream in(std::string(tiff.begin(), tiff.end()));
    pixcodec::ImageList streamed = reg.decode_pages(in);
    CHECK(streamed.size() == 3 && same_pixels(streamed[2], p2.data(), p2.size() * 4));

    // a single-page codec refuses several pages; the file is not written
    std::string png_path = (dir / "two.png").string();
    CHECK(status_of([&] { reg.write_pages(pages, png_path); }) != PXC_STATUS_OK);
    CHECK(!fs::exists(png_path));
    pixcodec::Limits one_page;
    one_page.max_pages(2);
    CHECK(status_of([&] { reg.decode_pages(tiff, &one_page); }) == PXC_STATUS_LIMITS);
}

struct WriteFailed {
    int code;
};

static void test_streams(const fs::path &dir) {
    auto reg = pixcodec::Registry::default_registry();
    std::vector<std::uint16_t> px(17 * 9 * 4);
    for (std::size_t i = 0; i < px.size(); i++) px[i] = std::uint16_t(i * 3331u);
    auto v = pixcodec::view(px.data(), 17, 9, PXC_LAYOUT_RGBA, PXC_SAMPLE_U16);
    std::vector<std::uint8_t> png = reg.encode(v, "png");

    // std::ostream
    std::ostringstream out;
    pixcodec::Report rep = reg.encode(v, "png", out);
    std::string s = out.str();
    CHECK(rep.bytes == s.size() && std::vector<std::uint8_t>(s.begin(), s.end()) == png);

    // std::istream (seekable), from the middle of a stream: reads from the current position
    std::istringstream in("junk" + s);
    in.seekg(4);
    pixcodec::Image img = reg.decode(in);
    CHECK(img.width() == 17 && same_pixels(img, px.data(), px.size() * 2));

    // std::ifstream on a file written through std::ofstream
    std::string path = (dir / "stream.png").string();
    {
        std::ofstream f(path, std::ios::binary);
        reg.encode(v, "png", f);
    }
    std::ifstream f(path, std::ios::binary);
    CHECK(same_pixels(reg.decode(f), px.data(), px.size() * 2));

    // a failing std::ostream: IO error
    std::ostringstream bad;
    bad.setstate(std::ios::badbit);
    CHECK(status_of([&] { reg.encode(v, "png", bad); }) == PXC_STATUS_IO);

    // callables: a reader giving 7 bytes at a time, a writer collecting the chunks
    std::size_t pos = 0, calls = 0;
    pixcodec::Image img2 = reg.decode_from([&](std::uint8_t *buf, std::size_t cap) {
        calls++;
        std::size_t n = std::min<std::size_t>({cap, 7, png.size() - pos});
        std::memcpy(buf, png.data() + pos, n);
        pos += n;
        return n;
    });
    CHECK(calls > png.size() / 7 && same_pixels(img2, px.data(), px.size() * 2));
    std::vector<std::uint8_t> collected;
    pixcodec::Report crep = reg.encode_to(v, "png", [&](const std::uint8_t *d, std::size_t n) {
        collected.insert(collected.end(), d, d + n);
    });
    CHECK(collected == png && crep.bytes == png.size() && crep.exact);

    // what a callable throws comes back to the caller unchanged
    int code = 0;
    try {
        reg.encode_to(v, "png", [](const std::uint8_t *, std::size_t) { throw WriteFailed{42}; });
    } catch (const WriteFailed &e) {
        code = e.code;
    }
    CHECK(code == 42);
    code = 0;
    try {
        reg.decode_from([](std::uint8_t *, std::size_t) -> std::size_t { throw WriteFailed{7}; });
    } catch (const WriteFailed &e) {
        code = e.code;
    }
    CHECK(code == 7);
    // a reader with garbage: the library's error, as an exception
    std::string junk = "not an image at all";
    std::size_t jpos = 0;
    CHECK(status_of([&] {
              reg.decode_from([&](std::uint8_t *buf, std::size_t cap) {
                  std::size_t n = std::min(cap, junk.size() - jpos);
                  std::memcpy(buf, junk.data() + jpos, n);
                  jpos += n;
                  return n;
              });
          }) == PXC_STATUS_UNKNOWN_FORMAT);
}

static void test_report() {
    auto reg = pixcodec::Registry::default_registry();
    std::vector<std::uint8_t> px(32 * 32 * 3);
    for (std::size_t i = 0; i < px.size(); i++) px[i] = std::uint8_t((i * 37u) ^ (i >> 5));
    auto v = pixcodec::view(px.data(), 32, 32, PXC_LAYOUT_RGB, PXC_SAMPLE_U8);
    pixcodec::EncodeOptions verify;
    verify.verify(true);

    pixcodec::Report lossless;
    reg.encode(v, "png", &verify, &lossless);
    CHECK(lossless.exact && lossless.pages == 1 && lossless.lossy_reason.empty());
    CHECK(lossless.verified && lossless.verify_identical && lossless.verify_max_abs_diff == 0);
    CHECK(std::isinf(lossless.verify_psnr_db));

    pixcodec::Report lossy;
    verify.quality(50);
    std::vector<std::uint8_t> jpg = reg.encode(v, "jpeg", &verify, &lossy);
    CHECK(!lossy.exact && !lossy.lossy_reason.empty() && lossy.format == "jpeg" && lossy.pages == 1);
    CHECK(lossy.verified && !lossy.verify_identical && lossy.verify_max_abs_diff > 0);
    CHECK(std::isfinite(lossy.verify_psnr_db) && lossy.verify_psnr_db > 10);
    CHECK(reg.probe(jpg).lossy_source);

    pixcodec::EncodeOptions exact;
    exact.require_exact(true);
    CHECK(status_of([&] { reg.encode(v, "jpeg", &exact); }) == PXC_STATUS_NOT_EXACT);
}

static void test_registry_listing() {
    auto reg = pixcodec::Registry::default_registry();
    std::vector<pixcodec::CodecInfo> codecs = reg.codecs();
    std::size_t n = 0;
    CHECK(pxc_registry_codec_count(nullptr, &n) == PXC_STATUS_OK && codecs.size() == n && n >= 3);
    CHECK(reg.codec_names().size() == n);
    const pixcodec::CodecInfo *png = nullptr, *tiff = nullptr;
    for (const auto &c : codecs) {
        if (c.name == "png") png = &c;
        if (c.format == "tiff" && !tiff) tiff = &c;
    }
    CHECK(png && tiff);
    if (png) {
        CHECK(png->format == "png" && !png->description.empty());
        CHECK(std::find(png->extensions.begin(), png->extensions.end(), "png") != png->extensions.end());
        CHECK(std::find(png->mime_types.begin(), png->mime_types.end(), "image/png") != png->mime_types.end());
        bool u16 = false;
        for (const pxc_capability &cap : png->encode_capabilities)
            u16 |= cap.layout == PXC_LAYOUT_GRAY && cap.sample == PXC_SAMPLE_U16 && cap.fidelity == PXC_FIDELITY_EXACT;
        CHECK(u16 && !png->decode_capabilities.empty() && !png->multi_page_encode);
    }
    if (tiff) {
        CHECK(tiff->multi_page_encode && tiff->multi_page_decode);
        CHECK(std::find(tiff->extensions.begin(), tiff->extensions.end(), "tif") != tiff->extensions.end());
    }
    CHECK(reg.find_by_mime("image/png") == "png");
    CHECK(reg.can_decode("png", PXC_LAYOUT_RGB, PXC_SAMPLE_U16) == PXC_FIDELITY_EXACT);
    std::uint8_t px[4] = {1, 2, 3, 4};
    CHECK(reg.find_by_content(reg.encode(pixcodec::view(px, 2, 2, PXC_LAYOUT_GRAY, PXC_SAMPLE_U8), "png")) == "png");
    CHECK(status_of([&] { reg.find_by_mime("image/x-nothing"); }) == PXC_STATUS_UNKNOWN_FORMAT);
    if (reg.has_codec("jpeg-turbo")) {
        // Exact with options: the jpeg-turbo rows are lossy unless lossless=true.
        CHECK(reg.encode_exact_with("jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16) == "lossless=true");
        CHECK(reg.encode_exact_with("png", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16).empty());
        pixcodec::EncodeOptions lossless;
        lossless.set("lossless", "true");
        CHECK(reg.can_encode_with("jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, lossless) == PXC_FIDELITY_EXACT);
        CHECK(reg.can_encode_with("jpeg-turbo", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16, pixcodec::EncodeOptions()) ==
              PXC_FIDELITY_LOSSY);
    }
}

static void test_load() {
    auto reg = pixcodec::Registry::default_registry();
    std::vector<std::uint8_t> px(6 * 4 * 3);
    for (std::size_t i = 0; i < px.size(); i++) px[i] = std::uint8_t(i * 11u);
    std::vector<std::uint8_t> png = reg.encode(pixcodec::view(px.data(), 6, 4, PXC_LAYOUT_RGB, PXC_SAMPLE_U8), "png");

    pixcodec::Tensor<std::uint8_t> t = reg.load<std::uint8_t>(png);
    CHECK(t.height == 4 && t.width == 6 && t.channels == 3 && t.data == px);
    CHECK(std::string(t.info.format) == "png" && t.info.pages == 1);
    pixcodec::Tensor<float> f = reg.load<float>(png);
    CHECK(f.data.size() == px.size() && f.data[5] == float(px[5]) && f.info.sample == PXC_SAMPLE_F32);

    pixcodec::LoadOptions small;
    small.target_size(2, 3).interpolation(PXC_INTERPOLATION_NEAREST).color_mode(PXC_COLOR_MODE_RGBA);
    pixcodec::Tensor<std::uint8_t> r = reg.load<std::uint8_t>(png, &small);
    CHECK(r.height == 2 && r.width == 3 && r.channels == 4 && r.data.size() == 2 * 3 * 4);
    CHECK(r.data[3] == 255); // added alpha is opaque

    // 16-bit values do not fit u8: refused, nothing narrowed
    std::vector<std::uint16_t> wide = {0, 300, 65535, 7};
    std::vector<std::uint8_t> png16 = reg.encode(pixcodec::view(wide.data(), 2, 2, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16), "png");
    pixcodec::LoadOptions gray;
    gray.color_mode(PXC_COLOR_MODE_GRAY);
    CHECK(status_of([&] { reg.load<std::uint8_t>(png16, &gray); }) == PXC_STATUS_NOT_EXACT);
    pixcodec::Tensor<std::uint16_t> ok = reg.load<std::uint16_t>(png16, &gray);
    CHECK(ok.channels == 1 && ok.data == wide);
    CHECK(status_of([&] { reg.load_file<float>("/nonexistent/x.png"); }) == PXC_STATUS_IO);
}

static void write_file(const fs::path &p, std::uint8_t value) {
    std::vector<std::uint8_t> px(5 * 3 * 3, value);
    pixcodec::Registry::default_registry().write(pixcodec::view(px.data(), 5, 3, PXC_LAYOUT_RGB, PXC_SAMPLE_U8), p.string());
}

static void test_dataset(const fs::path &dir) {
    fs::path root = dir / "ds";
    fs::create_directories(root / "cats");
    fs::create_directories(root / "dogs");
    // file value = 100 * class + 10 * k + 1
    for (int k = 0; k < 3; k++) write_file(root / "cats" / ("c" + std::to_string(k) + ".png"), std::uint8_t(10 * k + 1));
    for (int k = 0; k < 2; k++) write_file(root / "dogs" / ("d" + std::to_string(k) + ".png"), std::uint8_t(100 + 10 * k + 1));

    pixcodec::DatasetOptions o;
    o.image_size(3, 5).batch_size(2).shuffle(false).dtype(PXC_SAMPLE_U8);
    pixcodec::Dataset ds = pixcodec::Dataset::open(root.string(), &o);
    CHECK(ds.size() == 5 && ds.num_batches() == 3 && ds.class_count() == 2);
    CHECK((ds.class_names() == std::vector<std::string>{"cats", "dogs"}));
    CHECK(ds.summary().find("Found 5 files belonging to 2 classes.") != std::string::npos);
    CHECK(ds.file_path(3).find("dogs") != std::string::npos && ds.file_label(3) == 1);
    pixcodec::ImageShape shape = ds.image_shape();
    CHECK(shape.height == 3 && shape.width == 5 && shape.channels == 3 && shape.sample == PXC_SAMPLE_U8);
    CHECK(ds.label_shape().first == 1 && ds.label_shape().second == PXC_SAMPLE_I32);

    std::size_t batches = 0, files = 0;
    const std::size_t per = 3 * 5 * 3;
    for (const pixcodec::Batch &b : ds) {
        CHECK(b.index == batches && b.count == (batches < 2 ? 2u : 1u) && b.skipped.empty());
        CHECK(b.images.size() == b.count * per && b.labels.size() == b.count * 4);
        for (std::size_t i = 0; i < b.count; i++, files++) {
            std::int32_t label = b.label_data<std::int32_t>()[i];
            CHECK(label == ds.file_label(files));
            std::uint8_t first = b.image_data<std::uint8_t>()[i * per];
            CHECK(first % 10 == 1 && first / 100 == label);
            CHECK(std::all_of(b.images.begin() + long(i * per), b.images.begin() + long((i + 1) * per),
                              [&](std::uint8_t x) { return x == first; }));
        }
        batches++;
    }
    CHECK(batches == 3 && files == 5);

    // split into training and validation from one index
    pixcodec::DatasetOptions split;
    split.image_size(3, 5).batch_size(4).seed(3).validation_split(0.4, PXC_SUBSET_BOTH);
    auto both = pixcodec::Dataset::open_both(root.string(), split);
    CHECK(both.first.size() == 3 && both.second.size() == 2);
    CHECK(both.first.image_shape().sample == PXC_SAMPLE_F32);
    pixcodec::Batch vb = both.second.batch(0);
    CHECK(vb.count == 2 && vb.image_data<float>()[0] >= 1.0f);

    // a corrupt file: an error naming it, or skipped and listed
    {
        std::ofstream bad(root / "dogs" / "broken.png", std::ios::binary);
        bad << "\x89PNG\r\n\x1a\n not really";
    }
    pixcodec::DatasetOptions strict;
    strict.image_size(3, 5).batch_size(8).shuffle(false);
    pixcodec::Dataset sds = pixcodec::Dataset::open(root.string(), &strict);
    try {
        sds.batch(0);
        CHECK(false);
    } catch (const pixcodec::Error &e) {
        CHECK(std::string(e.what()).find("broken.png") != std::string::npos);
    }
    strict.skip_errors(true);
    pixcodec::Dataset skip = pixcodec::Dataset::open(root.string(), &strict);
    pixcodec::Batch sb = skip.batch(0);
    CHECK(sb.count == 5 && sb.skipped.size() == 1 && sb.images.size() == 5 * per * 4);
    if (sb.skipped.size() == 1) {
        CHECK(sb.skipped[0].first.find("broken.png") != std::string::npos);
        CHECK(sb.skipped[0].second.find("broken.png") != std::string::npos);
    }
    CHECK(status_of([&] { pixcodec::Dataset::open((dir / "missing").string()); }) == PXC_STATUS_IO);
}

int main() {
    char tmpl[] = "/tmp/pxc-test-wrapper-XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 1;
    }
    fs::path dir(tmpl);
    try {
        test_version();
        test_multi_page(dir);
        test_streams(dir);
        test_report();
        test_registry_listing();
        test_load();
        test_dataset(dir);
    } catch (const pixcodec::Error &e) {
        std::fprintf(stderr, "unexpected pixcodec::Error %d: %s\n", int(e.status()), e.what());
        g_failures++;
    }
    fs::remove_all(dir);
    return finish("test_wrapper_parity");
}
