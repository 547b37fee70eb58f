// pixcodec C++17 wrapper: header-only RAII over the C API in pixcodec.h.
// Hand-written (unlike pixcodec.h). Errors are thrown as pixcodec::Error, which carries
// the pxc_status and the detailed message.
#ifndef PIXCODEC_HPP
#define PIXCODEC_HPP

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pixcodec.h"

namespace pixcodec {

/// A failed call: the status and the library's message.
class Error : public std::runtime_error {
public:
    Error(pxc_status status, const std::string &message) : std::runtime_error(message), status_(status) {}
    /// The status the C call returned.
    pxc_status status() const noexcept { return status_; }

private:
    pxc_status status_;
};

namespace detail {
inline std::string last_error() {
    std::size_t needed = 0;
    pxc_last_error_message(nullptr, 0, &needed);
    std::string s(needed, '\0');
    pxc_last_error_message(s.data(), s.size(), &needed);
    s.resize(needed ? needed - 1 : 0);
    return s;
}
inline void check(pxc_status st) {
    if (st != PXC_STATUS_OK) throw Error(st, last_error());
}
template <class T, void (*Free)(T *)> struct Handle {
    T *p = nullptr;
    Handle() = default;
    explicit Handle(T *q) : p(q) {}
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    Handle(Handle &&o) noexcept : p(std::exchange(o.p, nullptr)) {}
    Handle &operator=(Handle &&o) noexcept {
        if (this != &o) {
            Free(p);
            p = std::exchange(o.p, nullptr);
        }
        return *this;
    }
    ~Handle() { Free(p); }
};
inline void no_free(pxc_registry *) {}
} // namespace detail

/// A borrowed view of pixels in caller memory (stride 0 = tightly packed).
inline pxc_image_view view(const void *data, std::uint32_t width, std::uint32_t height, std::uint32_t layout,
                           std::uint32_t sample, std::size_t stride = 0) {
    pxc_image_view v{};
    v.data = data;
    v.stride = stride;
    v.width = width;
    v.height = height;
    v.layout = layout;
    v.sample = sample;
    return v;
}

/// Decoding limits.
class Limits {
public:
    Limits() : h_(pxc_limits_new()) {}
    Limits &max_width(std::uint32_t v) { detail::check(pxc_limits_set_max_width(h_.p, v)); return *this; }
    Limits &max_height(std::uint32_t v) { detail::check(pxc_limits_set_max_height(h_.p, v)); return *this; }
    Limits &max_pixels(std::uint64_t v) { detail::check(pxc_limits_set_max_pixels(h_.p, v)); return *this; }
    Limits &max_alloc_bytes(std::uint64_t v) { detail::check(pxc_limits_set_max_alloc_bytes(h_.p, v)); return *this; }
    Limits &max_pages(std::uint32_t v) { detail::check(pxc_limits_set_max_pages(h_.p, v)); return *this; }
    const pxc_limits *get() const { return h_.p; }

private:
    detail::Handle<pxc_limits, pxc_limits_free> h_;
};

/// Encode options (codec, exactness, codec options by name).
class EncodeOptions {
public:
    EncodeOptions() : h_(pxc_encode_options_new()) {}
    EncodeOptions &codec(const std::string &c) { detail::check(pxc_encode_options_set_codec(h_.p, c.c_str())); return *this; }
    EncodeOptions &require_exact(bool y) { detail::check(pxc_encode_options_set_require_exact(h_.p, y)); return *this; }
    EncodeOptions &verify(bool y) { detail::check(pxc_encode_options_set_verify(h_.p, y)); return *this; }
    EncodeOptions &quality(int q) { detail::check(pxc_encode_options_set_quality(h_.p, q)); return *this; }
    EncodeOptions &level(int l) { detail::check(pxc_encode_options_set_level(h_.p, l)); return *this; }
    EncodeOptions &subsampling(const std::string &s) {
        detail::check(pxc_encode_options_set_subsampling(h_.p, s.c_str()));
        return *this;
    }
    EncodeOptions &compression(const std::string &s) {
        detail::check(pxc_encode_options_set_compression(h_.p, s.c_str()));
        return *this;
    }
    EncodeOptions &predictor(bool y) { detail::check(pxc_encode_options_set_predictor(h_.p, y)); return *this; }
    EncodeOptions &progressive(bool y) { detail::check(pxc_encode_options_set_progressive(h_.p, y)); return *this; }
    /// Any codec option by name, validated by the codec at encode time.
    EncodeOptions &set(const std::string &k, const std::string &v) {
        detail::check(pxc_encode_options_set(h_.p, k.c_str(), v.c_str()));
        return *this;
    }
    const pxc_encode_options *get() const { return h_.p; }

private:
    detail::Handle<pxc_encode_options, pxc_encode_options_free> h_;
};

/// A decoded image (owned).
class Image {
public:
    explicit Image(pxc_image *p) : h_(p) {}
    std::uint32_t width() const { return pxc_image_width(h_.p); }
    std::uint32_t height() const { return pxc_image_height(h_.p); }
    std::uint32_t layout() const { return pxc_image_layout(h_.p); }
    std::uint32_t sample() const { return pxc_image_sample(h_.p); }
    std::size_t stride() const { return pxc_image_stride(h_.p); }
    std::size_t size() const { return pxc_image_size(h_.p); }
    const std::uint8_t *data() const { return pxc_image_data(h_.p); }
    /// Typed samples (T must match sample(); the storage is 8-byte aligned).
    template <class T> const T *samples() const { return reinterpret_cast<const T *>(data()); }
    pxc_image_view view() const {
        pxc_image_view v{};
        detail::check(pxc_image_view_of(h_.p, &v));
        return v;
    }

private:
    detail::Handle<pxc_image, pxc_image_free> h_;
};

/// A reusable output buffer: encoding into it allocates nothing once it is large enough.
class Buffer {
public:
    explicit Buffer(std::size_t capacity = 0) : h_(pxc_buffer_new(capacity)) {
        if (!h_.p) throw Error(PXC_STATUS_LIMITS, detail::last_error());
    }
    const std::uint8_t *data() const { return pxc_buffer_data(h_.p); }
    std::size_t size() const { return pxc_buffer_len(h_.p); }
    std::size_t capacity() const { return pxc_buffer_capacity(h_.p); }
    pxc_buffer *get() { return h_.p; }

private:
    detail::Handle<pxc_buffer, pxc_buffer_free> h_;
};

/// What an encode did.
struct Report {
    std::string codec;
    std::uint64_t bytes = 0;
    bool exact = false;
    std::string lossy_reason;
    static Report from(const pxc_encode_report &r) { return Report{r.codec, r.bytes_written, r.exact, r.lossy_reason}; }
};

/// A registry: the process-wide default (borrowed) or a new one (owned).
class Registry {
public:
    /// The default registry (never freed).
    static Registry default_registry() { return Registry(pxc_registry_default(), false); }
    /// A new registry with or without the built-in codecs.
    explicit Registry(bool with_builtins) : Registry(pxc_registry_new(with_builtins), true) {}
    Registry(Registry &&) noexcept = default;
    Registry &operator=(Registry &&) noexcept = default;

    pxc_registry *get() const { return p_.p ? p_.p : borrowed_; }

    /// Registers a codec written in C (see pxc_codec_vtable).
    void register_codec(const pxc_codec_vtable &vt) { detail::check(pxc_registry_register_codec(get(), &vt)); }
    void unregister(const std::string &name) { detail::check(pxc_registry_unregister(get(), name.c_str())); }

    /// Names of the registered codecs, highest priority first.
    std::vector<std::string> codec_names() const {
        std::size_t n = 0;
        detail::check(pxc_registry_codec_count(get(), &n));
        std::vector<std::string> v;
        for (std::size_t i = 0; i < n; i++) {
            pxc_codec_info ci;
            detail::check(pxc_registry_codec_info(get(), i, &ci));
            v.emplace_back(ci.name);
        }
        return v;
    }
    bool has_codec(const std::string &name) const {
        char buf[PXC_NAME_MAX];
        return pxc_registry_find_by_name(get(), name.c_str(), buf, sizeof buf) == PXC_STATUS_OK;
    }
    /// PXC_FIDELITY_EXACT, _LOSSY or _NONE.
    std::uint32_t can_encode(const std::string &codec, std::uint32_t layout, std::uint32_t sample) const {
        std::uint32_t f = 0;
        detail::check(pxc_registry_can_encode(get(), codec.c_str(), layout, sample, &f));
        return f;
    }
    std::string find_by_extension(const std::string &ext) const {
        char buf[PXC_NAME_MAX];
        detail::check(pxc_registry_find_by_extension(get(), ext.c_str(), buf, sizeof buf));
        return buf;
    }

    pxc_info probe(const std::uint8_t *data, std::size_t len, const Limits *limits = nullptr) const {
        pxc_info info;
        detail::check(pxc_probe(get(), data, len, limits ? limits->get() : nullptr, &info));
        return info;
    }
    Image decode(const std::uint8_t *data, std::size_t len, const Limits *limits = nullptr) const {
        pxc_image *img = nullptr;
        detail::check(pxc_decode(get(), data, len, limits ? limits->get() : nullptr, &img));
        return Image(img);
    }
    Image decode(const std::vector<std::uint8_t> &bytes, const Limits *limits = nullptr) const {
        return decode(bytes.data(), bytes.size(), limits);
    }
    Image read(const std::string &path, const Limits *limits = nullptr) const {
        pxc_image *img = nullptr;
        detail::check(pxc_decode_file(get(), path.c_str(), limits ? limits->get() : nullptr, &img));
        return Image(img);
    }
    /// Decodes into caller memory (two-phase: resizes `out` to the needed size).
    pxc_info decode_into(const std::vector<std::uint8_t> &bytes, std::vector<std::uint8_t> &out,
                         std::size_t stride = 0) const {
        std::size_t needed = 0;
        pxc_info info;
        pxc_status st = pxc_decode_into(get(), bytes.data(), bytes.size(), nullptr, out.empty() ? nullptr : out.data(),
                                        out.size(), stride, &info, &needed);
        if (st == PXC_STATUS_BUFFER_TOO_SMALL) {
            out.resize(needed);
            st = pxc_decode_into(get(), bytes.data(), bytes.size(), nullptr, out.data(), out.size(), stride, &info,
                                 &needed);
        }
        detail::check(st);
        return info;
    }

    /// Encodes to a new byte vector; `target` is a codec name, format, extension or MIME type.
    std::vector<std::uint8_t> encode(const pxc_image_view &image, const std::string &target,
                                     const EncodeOptions *opts = nullptr, Report *report = nullptr) const {
        pxc_bytes b{};
        pxc_encode_report r;
        detail::check(pxc_encode(get(), &image, target.c_str(), opts ? opts->get() : nullptr, &b, &r));
        std::vector<std::uint8_t> v(b.data, b.data + b.len);
        pxc_bytes_free(&b);
        if (report) *report = Report::from(r);
        return v;
    }
    /// Encodes into a reusable buffer.
    Report encode_into(const pxc_image_view &image, const std::string &target, Buffer &buf,
                       const EncodeOptions *opts = nullptr) const {
        pxc_encode_report r;
        detail::check(pxc_encode_to_buffer(get(), &image, target.c_str(), opts ? opts->get() : nullptr, buf.get(), &r));
        return Report::from(r);
    }
    /// Writes a file atomically (format from the extension unless `target` is given).
    Report write(const pxc_image_view &image, const std::string &path, const std::string &target = "",
                 const EncodeOptions *opts = nullptr) const {
        pxc_encode_report r;
        detail::check(pxc_encode_to_file(get(), &image, path.c_str(), target.empty() ? nullptr : target.c_str(),
                                         opts ? opts->get() : nullptr, &r));
        return Report::from(r);
    }

private:
    Registry(pxc_registry *p, bool owned) : p_(owned ? p : nullptr), borrowed_(owned ? nullptr : p) {
        if (!p) throw Error(PXC_STATUS_PANIC, detail::last_error());
    }
    detail::Handle<pxc_registry, pxc_registry_free> p_;
    pxc_registry *borrowed_ = nullptr;
};

} // namespace pixcodec

#endif // PIXCODEC_HPP
