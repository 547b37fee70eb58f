// uint32 labels 1..36 through TIFF, unchanged; PNG refuses with an exception that says why.
#include <cstdio>
#include <vector>

#include "pixcodec.hpp"

int main() {
    auto reg = pixcodec::Registry::default_registry();
    std::vector<std::uint32_t> labels(36);
    for (std::uint32_t i = 0; i < 36; i++) labels[i] = i + 1;
    auto v = pixcodec::view(labels.data(), 6, 6, PXC_LAYOUT_GRAY, PXC_SAMPLE_U32);
    try {
        reg.encode(v, "png");
        std::fprintf(stderr, "PNG accepted uint32 labels\n");
        return 1;
    } catch (const pixcodec::Error &e) {
        if (e.status() != PXC_STATUS_NOT_EXACT) return 1;
        std::printf("C++: PNG refuses (status %d): %s\n", static_cast<int>(e.status()), e.what());
    }
    try {
        pixcodec::Report rep;
        auto tif = reg.encode(v, "tiff", nullptr, &rep);
        pixcodec::Image img = reg.decode(tif);
        const std::uint32_t *back = img.samples<std::uint32_t>();
        bool same = img.sample() == PXC_SAMPLE_U32 && std::vector<std::uint32_t>(back, back + 36) == labels;
        std::printf("C++: TIFF labels %u..%u -> %u..%u: %s\n", labels.front(), labels.back(), back[0], back[35],
                    same ? "unchanged" : "CHANGED");
        return same && rep.exact ? 0 : 1;
    } catch (const pixcodec::Error &e) {
        std::fprintf(stderr, "pixcodec error %d: %s\n", static_cast<int>(e.status()), e.what());
        return 1;
    }
}
