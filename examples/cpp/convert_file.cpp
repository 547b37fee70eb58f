// Convert an image file, keeping samples exactly: convert_file IN OUT (no arguments: a
// sample PNG in a temporary folder is converted to TIFF).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#include "pixcodec.hpp"

int main(int argc, char **argv) {
    try {
        auto reg = pixcodec::Registry::default_registry();
        std::string in, out;
        char dir[] = "/tmp/pxc-convert-cpp-XXXXXX";
        bool made = false;
        if (argc == 3) {
            in = argv[1];
            out = argv[2];
        } else {
            if (!mkdtemp(dir)) return 1;
            made = true;
            std::vector<std::uint8_t> px(20 * 10 * 3);
            for (std::size_t i = 0; i < px.size(); i++) px[i] = static_cast<std::uint8_t>(i * 13);
            in = std::string(dir) + "/sample.png";
            out = std::string(dir) + "/sample.tiff";
            reg.write(pixcodec::view(px.data(), 20, 10, PXC_LAYOUT_RGB, PXC_SAMPLE_U8), in);
        }
        pixcodec::Image img = reg.read(in);
        pixcodec::EncodeOptions opts;
        opts.require_exact(true);
        pixcodec::Report rep = reg.write(img.view(), out, "", &opts);
        pixcodec::Image back = reg.read(out);
        bool same = back.size() == img.size() && std::memcmp(back.data(), img.data(), img.size()) == 0;
        std::printf("C++: %s -> %s (%s, %llu bytes): pixels %s\n", in.c_str(), out.c_str(), rep.codec.c_str(),
                    static_cast<unsigned long long>(rep.bytes), same ? "identical" : "DIFFERENT");
        if (made) {
            unlink(in.c_str());
            unlink(out.c_str());
            rmdir(dir);
        }
        return same ? 0 : 1;
    } catch (const pixcodec::Error &e) {
        std::fprintf(stderr, "pixcodec error %d: %s\n", static_cast<int>(e.status()), e.what());
        return 1;
    }
}
