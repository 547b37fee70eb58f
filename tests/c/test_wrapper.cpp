// The C++ wrapper: RAII handles, exceptions carrying status and message, reusable
// buffers, limits, and the C codec from testutil.h registered through the wrapper.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "pixcodec.hpp"
#include "testutil.h"
#include "wrapperutil.hpp"

int main() {
    rawc_state st{};
    {
        pixcodec::Registry reg(false);
        CHECK(reg.codec_names().empty());
        reg.register_codec(rawc_vtable(&st));
        CHECK(reg.codec_names() == std::vector<std::string>{"rawc"});
        CHECK(reg.has_codec("rawc") && !reg.has_codec("png"));
        CHECK(reg.can_encode("rawc", PXC_LAYOUT_GRAY, PXC_SAMPLE_U16) == PXC_FIDELITY_EXACT);
        CHECK(reg.can_encode("rawc", PXC_LAYOUT_CMYK, PXC_SAMPLE_U16) == PXC_FIDELITY_NONE);
        CHECK(reg.find_by_extension(".rawc") == "rawc");

        std::vector<std::uint16_t> px(9 * 4);
        for (std::size_t i = 0; i < px.size(); i++) px[i] = std::uint16_t(i * 1234);
        auto v = pixcodec::view(px.data(), 9, 4, PXC_LAYOUT_GRAY, PXC_SAMPLE_U16);
        pixcodec::Report rep;
        auto bytes = reg.encode(v, "rawc", nullptr, &rep);
        CHECK(rep.codec == "rawc" && rep.exact && rep.bytes == bytes.size());
        pixcodec::Image img = reg.decode(bytes);
        CHECK(img.width() == 9 && img.sample() == PXC_SAMPLE_U16);
        CHECK(std::memcmp(img.samples<std::uint16_t>(), px.data(), px.size() * 2) == 0);
        pixcodec::Image moved = std::move(img); // RAII: moved-from handle frees nothing
        CHECK(moved.height() == 4);

        // errors become exceptions with status and message
        CHECK(status_of([&] { reg.decode(std::vector<std::uint8_t>{1, 2, 3}); }) == PXC_STATUS_UNKNOWN_FORMAT);
        CHECK(status_of([&] { reg.encode(v, "nope"); }) == PXC_STATUS_UNKNOWN_FORMAT);
        try {
            auto bad = pixcodec::view(px.data(), 9, 4, PXC_LAYOUT_GRAY, PXC_SAMPLE_I16);
            reg.encode(bad, "rawc");
            CHECK(false);
        } catch (const pixcodec::Error &e) {
            CHECK(e.status() == PXC_STATUS_NOT_EXACT);
            CHECK(std::string(e.what()).find("Gray I16") != std::string::npos);
        }
        pixcodec::Limits lim;
        lim.max_width(8);
        CHECK(status_of([&] { reg.decode(bytes.data(), bytes.size(), &lim); }) == PXC_STATUS_LIMITS);
        pixcodec::EncodeOptions opts;
        opts.set("nonsense", "1");
        CHECK(status_of([&] { reg.encode(v, "rawc", &opts); }) == PXC_STATUS_INVALID_ARGUMENT);

        // reusable buffer
        pixcodec::Buffer buf(1024);
        const std::uint8_t *first = nullptr;
        for (int i = 0; i < 10; i++) {
            reg.encode_into(v, "rawc", buf);
            if (!first) first = buf.data();
            CHECK(buf.data() == first && buf.size() == bytes.size());
        }
        // two-phase decode into a padded buffer
        std::vector<std::uint8_t> into;
        pxc_info info = reg.decode_into(bytes, into, 9 * 2 + 6);
        CHECK(info.height == 4 && into.size() == (9 * 2 + 6) * 3 + 9 * 2);
        CHECK(std::memcmp(into.data() + 24, px.data() + 9, 18) == 0);
        CHECK(st.destroyed == 0);
    }
    CHECK(st.destroyed == 1); // the registry's destructor released the C codec once
    auto def = pixcodec::Registry::default_registry();
    CHECK(def.get() == pxc_registry_default());
    return finish("test_wrapper");
}
