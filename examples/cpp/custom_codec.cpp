// A codec written in C-compatible functions and registered from C++: an "inverted gray"
// format (header "INVG", width, height as u32 LE, then 255 - value per pixel). Exact.
#include <cstdio>
#include <cstring>
#include <vector>

#include "pixcodec.hpp"

namespace {

std::uint32_t get32(const std::uint8_t *p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

extern "C" int invg_probe(void *, const std::uint8_t *d, std::size_t len, pxc_info *out) {
    if (len < 12 || std::memcmp(d, "INVG", 4) != 0) {
        pxc_codec_set_error("invg: bad header");
        return PXC_STATUS_DECODE;
    }
    out->width = get32(d + 4);
    out->height = get32(d + 8);
    out->layout = PXC_LAYOUT_GRAY;
    out->sample = PXC_SAMPLE_U8;
    out->pages = 1;
    out->lossy_source = false;
    return PXC_STATUS_OK;
}

extern "C" int invg_decode(void *, const std::uint8_t *d, std::size_t len, const pxc_info *info, std::uint8_t *out,
                           std::size_t stride) {
    if (len < 12 + std::size_t(info->width) * info->height) {
        pxc_codec_set_error("invg: truncated");
        return PXC_STATUS_DECODE;
    }
    for (std::uint32_t y = 0; y < info->height; y++)
        for (std::uint32_t x = 0; x < info->width; x++)
            out[y * stride + x] = std::uint8_t(255 - d[12 + std::size_t(y) * info->width + x]);
    return PXC_STATUS_OK;
}

extern "C" int invg_encode(void *, const pxc_image_view *img, pxc_write_fn write, void *sink) {
    std::vector<std::uint8_t> buf(12);
    std::memcpy(buf.data(), "INVG", 4);
    for (int i = 0; i < 4; i++) {
        buf[4 + i] = std::uint8_t(img->width >> (8 * i));
        buf[8 + i] = std::uint8_t(img->height >> (8 * i));
    }
    for (std::uint32_t y = 0; y < img->height; y++)
        for (std::uint32_t x = 0; x < img->width; x++)
            buf.push_back(std::uint8_t(255 - static_cast<const std::uint8_t *>(img->data)[y * img->stride + x]));
    return write(sink, buf.data(), buf.size()) == 0 ? PXC_STATUS_OK : PXC_STATUS_IO;
}

} // namespace

int main() {
    static const char *const exts[] = {"invg", nullptr};
    static const pxc_capability caps[] = {{PXC_LAYOUT_GRAY, PXC_SAMPLE_U8, PXC_FIDELITY_EXACT}};
    try {
        pixcodec::Registry reg(true);
        pxc_codec_vtable vt{};
        vt.struct_size = sizeof vt;
        vt.abi_version = PXC_CODEC_ABI_VERSION;
        vt.name = "invg";
        vt.format = "invg";
        vt.extensions = exts;
        vt.signature = reinterpret_cast<const std::uint8_t *>("INVG");
        vt.signature_len = 4;
        vt.decode_capabilities = caps;
        vt.decode_capability_count = 1;
        vt.encode_capabilities = caps;
        vt.encode_capability_count = 1;
        vt.probe = invg_probe;
        vt.decode = invg_decode;
        vt.encode = invg_encode;
        reg.register_codec(vt);

        std::vector<std::uint8_t> px(17 * 5);
        for (std::size_t i = 0; i < px.size(); i++) px[i] = std::uint8_t(i * 3);
        auto bytes = reg.encode(pixcodec::view(px.data(), 17, 5, PXC_LAYOUT_GRAY, PXC_SAMPLE_U8), "invg");
        pixcodec::Image img = reg.decode(bytes); // found by its signature
        std::vector<std::uint8_t> into;
        pxc_info info = reg.decode_into(bytes, into, 20); // two-phase, padded rows
        bool same = std::memcmp(img.data(), px.data(), px.size()) == 0 && info.width == 17 &&
                    std::memcmp(into.data() + 20, px.data() + 17, 17) == 0;
        std::printf("C++: codec %s found by extension, %zu bytes, decoded %s\n", reg.find_by_extension("invg").c_str(),
                    bytes.size(), same ? "identical" : "DIFFERENT");
        return same ? 0 : 1;
    } catch (const pixcodec::Error &e) {
        std::fprintf(stderr, "pixcodec error %d: %s\n", static_cast<int>(e.status()), e.what());
        return 1;
    }
}
