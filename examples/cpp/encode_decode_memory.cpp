// Encode a 16-bit RGB image to PNG in memory and decode it back, through the C++ wrapper.
#include <cstdio>
#include <cstring>
#include <vector>

#include "pixcodec.hpp"

int main() {
    try {
        const std::uint32_t w = 32, h = 16;
        std::vector<std::uint16_t> px(w * h * 3);
        for (std::size_t i = 0; i < px.size(); i++) px[i] = static_cast<std::uint16_t>(i * 977u);
        auto reg = pixcodec::Registry::default_registry();
        pixcodec::Report rep;
        std::vector<std::uint8_t> png =
            reg.encode(pixcodec::view(px.data(), w, h, PXC_LAYOUT_RGB, PXC_SAMPLE_U16), "png", nullptr, &rep);
        pixcodec::Image img = reg.decode(png);
        bool same = img.sample() == PXC_SAMPLE_U16 && std::memcmp(img.data(), px.data(), px.size() * 2) == 0;
        std::printf("C++: %ux%u Rgb U16 -> %s, %zu bytes, %s; decoded back %s\n", w, h, rep.codec.c_str(), png.size(),
                    rep.exact ? "exact" : "lossy", same ? "identical" : "DIFFERENT");
        return same && rep.exact ? 0 : 1;
    } catch (const pixcodec::Error &e) {
        std::fprintf(stderr, "pixcodec error %d: %s\n", static_cast<int>(e.status()), e.what());
        return 1;
    }
}
