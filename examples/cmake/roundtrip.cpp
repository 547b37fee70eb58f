// Encodes a 16-bit RGB image to PNG and TIFF through the C++ wrapper, decodes both and
// checks every sample; built by examples/cmake/CMakeLists.txt against an installed pixcodec.
#include <cstdio>
#include <cstring>
#include <vector>

#include <pixcodec.hpp>

int main() {
    try {
        const std::uint32_t w = 24, h = 10;
        std::vector<std::uint16_t> px(w * h * 3);
        for (std::size_t i = 0; i < px.size(); i++) px[i] = static_cast<std::uint16_t>(i * 2741u);
        auto v = pixcodec::view(px.data(), w, h, PXC_LAYOUT_RGB, PXC_SAMPLE_U16);
        auto reg = pixcodec::Registry::default_registry();
        int bad = 0;
        for (const char *fmt : {"png", "tiff"}) {
            pixcodec::Report rep;
            std::vector<std::uint8_t> bytes = reg.encode(v, fmt, nullptr, &rep);
            pixcodec::Image img = reg.decode(bytes);
            bool same = img.size() == px.size() * 2 && std::memcmp(img.data(), px.data(), img.size()) == 0;
            std::printf("pixcodec %s: %ux%u RGB U16 -> %s (%s), %zu bytes, decoded back %s\n",
                        pixcodec::version().c_str(), w, h, fmt, rep.codec.c_str(), bytes.size(),
                        same ? "identical" : "DIFFERENT");
            bad += !(same && rep.exact);
        }
        return bad;
    } catch (const pixcodec::Error &e) {
        std::fprintf(stderr, "pixcodec error %d: %s\n", static_cast<int>(e.status()), e.what());
        return 1;
    }
}
