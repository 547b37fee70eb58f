// The C++ wrapper's explicit conversions (pixcodec::convert over pxc_convert_*): results
// equal to the C functions' definitions, errors thrown as pixcodec::Error with the status
// and a message naming the first value that does not fit. C++17 and C++20 (make test-c).
#include <cstdint>
#include <cstring>
#include <string>

#include "pixcodec.hpp"
#include "testutil.h"

int main() {
    const std::uint16_t ramp[6] = {0, 1, 2, 3, 4, 300};
    pxc_image_view v = pixcodec::view(ramp, 3, 2, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16);
    try {
        pixcodec::convert::cast(v, PXC_SAMPLE_U8);
        CHECK(false);
    } catch (const pixcodec::Error &e) {
        CHECK(e.status() == PXC_STATUS_NOT_EXACT);
        CHECK(std::string(e.what()).find("value 300 at x=2, y=1") != std::string::npos);
        CHECK(std::string(e.what()).find("pxc_convert_scale_minmax") != std::string::npos);
    }
    pixcodec::Image s = pixcodec::convert::scale_minmax(v, PXC_SAMPLE_U16);
    CHECK(s.sample() == PXC_SAMPLE_U16 && s.samples<std::uint16_t>()[5] == 65535);
    pixcodec::Image clipped = pixcodec::convert::scale_range(v, PXC_SAMPLE_U8, 0.0, 4.0, true);
    const std::uint8_t want[6] = {0, 64, 128, 191, 255, 255};
    CHECK(std::memcmp(clipped.data(), want, 6) == 0);
    pixcodec::Image n = pixcodec::convert::narrow(v);
    CHECK(n.sample() == PXC_SAMPLE_U16);
    const std::uint16_t small[2] = {7, 200};
    pixcodec::Image n8 = pixcodec::convert::narrow(pixcodec::view(small, 2, 1, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16));
    CHECK(n8.sample() == PXC_SAMPLE_U8 && n8.data()[1] == 200);
    pixcodec::Image rgb = pixcodec::convert::layout(n8.view(), PXC_LAYOUT_RGB);
    const std::uint8_t rgb_want[6] = {7, 7, 7, 200, 200, 200};
    CHECK(rgb.layout() == PXC_LAYOUT_RGB && std::memcmp(rgb.data(), rgb_want, 6) == 0);
    // invert: a negative of the colour channels; apply_invert flips the metadata's convention,
    // so plain CMYK then goes to JPEG (an Adobe-marked format) without a report.
    const std::uint8_t cmyk[4] = {0, 10, 20, 255};
    pxc_image_view cv = pixcodec::view(cmyk, 1, 1, PXC_LAYOUT_CMYK, PXC_SAMPLE_U8);
    pixcodec::Image neg = pixcodec::convert::invert(cv);
    const std::uint8_t neg_want[4] = {255, 245, 235, 0};
    CHECK(std::memcmp(neg.data(), neg_want, 4) == 0);
    pixcodec::Metadata m;
    CHECK(m.photometric() == PXC_PHOTOMETRIC_PLAIN);
    pixcodec::Image adobe = pixcodec::convert::apply_invert(cv, m);
    CHECK(std::memcmp(adobe.data(), neg_want, 4) == 0);
    CHECK(m.photometric() == PXC_PHOTOMETRIC_ADOBE_INVERTED_CMYK);
    pixcodec::EncodeOptions opts;
    opts.metadata(m);
    auto reg = pixcodec::Registry::default_registry();
    reg.encode(adobe.view(), "jpeg", &opts);
    std::size_t dropped = 1;
    CHECK(pxc_last_encode_dropped_count(&dropped) == PXC_STATUS_OK && dropped == 0);
    try {
        const float f[1] = {0.5f};
        pixcodec::convert::invert(pixcodec::view(f, 1, 1, PXC_LAYOUT_GRAY, PXC_SAMPLE_F32));
        CHECK(false);
    } catch (const pixcodec::Error &e) {
        CHECK(e.status() == PXC_STATUS_UNSUPPORTED);
    }
    return finish("test_wrapper_convert");
}
