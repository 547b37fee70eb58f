// pixcodec C++17 wrapper: header-only RAII over the whole C API in pixcodec.h.
// Hand-written (unlike pixcodec.h). Errors are thrown as pixcodec::Error, which carries
// the pxc_status and the detailed message. Covered: single and multi-page decode/encode
// (memory, files, std::istream/std::ostream and callables), the full encode report, the
// registry listing with capability tables, ML loading (pxc_load_into) and dataset
// iteration (pxc_dataset_*), the explicit conversions (pxc_convert_*), metadata (pxc_metadata:
// read, edit, attach to encodes; the dropped items in the report), and the library version. Exceptions thrown by stream
// callbacks are caught before they reach the C library and rethrown to the caller.
#ifndef PIXCODEC_HPP
#define PIXCODEC_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <istream>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <string>
#include <type_traits>
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
/// Throws when a constructor's C call returned NULL (allocation refused or a panic).
template <class T> T *not_null(T *p) {
    if (!p) throw Error(PXC_STATUS_PANIC, last_error());
    return p;
}
/// Text copied by a `(…, char *buf, size_t cap, size_t *out_needed)` call: size query, then copy.
template <class F> std::string text(F f) {
    std::size_t needed = 0;
    pxc_status st = f(nullptr, 0, &needed);
    if (st != PXC_STATUS_BUFFER_TOO_SMALL) check(st);
    std::string s(needed, '\0');
    check(f(s.data(), s.size(), &needed));
    s.resize(needed ? needed - 1 : 0);
    return s;
}
/// Splits a comma-separated list (`pxc_codec_info` extensions and MIME types).
inline std::vector<std::string> split_commas(const char *s) {
    std::vector<std::string> out;
    std::string cur;
    for (; *s; s++) {
        if (*s == ',') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += *s;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}
/// A C callback's context: the user's callable and the exception it threw, if any.
template <class F> struct Callback {
    F &f;
    std::exception_ptr error;
    /// Rethrows what the callable threw; otherwise checks the status of the C call.
    void finish(pxc_status st) {
        if (error) std::rethrow_exception(error);
        check(st);
    }
};
template <class F> int read_trampoline(void *user, std::uint8_t *buf, std::size_t cap, std::size_t *out_read) {
    auto *cb = static_cast<Callback<F> *>(user);
    try {
        *out_read = cb->f(buf, cap);
        return *out_read <= cap ? 0 : 1;
    } catch (...) {
        cb->error = std::current_exception();
        return 1;
    }
}
template <class F> int write_trampoline(void *user, const std::uint8_t *data, std::size_t len) {
    auto *cb = static_cast<Callback<F> *>(user);
    try {
        cb->f(data, len);
        return 0;
    } catch (...) {
        cb->error = std::current_exception();
        return 1;
    }
}
/// A std::istream as read and (when it can seek) seek callbacks.
struct IstreamSource {
    std::istream &is;
    std::exception_ptr error;
    static int read(void *user, std::uint8_t *buf, std::size_t cap, std::size_t *out_read) {
        auto *s = static_cast<IstreamSource *>(user);
        try {
            s->is.read(reinterpret_cast<char *>(buf), static_cast<std::streamsize>(cap));
            *out_read = static_cast<std::size_t>(s->is.gcount());
            if (s->is.bad()) return 1;
            if (s->is.eof()) s->is.clear(s->is.rdstate() & ~std::ios::failbit);
            return 0;
        } catch (...) {
            s->error = std::current_exception();
            return 1;
        }
    }
    static int seek(void *user, std::int64_t offset, std::uint32_t whence, std::uint64_t *out_position) {
        auto *s = static_cast<IstreamSource *>(user);
        try {
            std::ios::seekdir dir = whence == PXC_SEEK_WHENCE_SET   ? std::ios::beg
                                    : whence == PXC_SEEK_WHENCE_CUR ? std::ios::cur
                                                                    : std::ios::end;
            s->is.clear(s->is.rdstate() & ~(std::ios::failbit | std::ios::eofbit));
            s->is.seekg(static_cast<std::streamoff>(offset), dir);
            std::streampos pos = s->is.tellg();
            if (!s->is || pos == std::streampos(-1)) return 1;
            *out_position = static_cast<std::uint64_t>(static_cast<std::streamoff>(pos));
            return 0;
        } catch (...) {
            s->error = std::current_exception();
            return 1;
        }
    }
    /// The seek callback when the stream reports a position (files, string streams), else NULL.
    pxc_seek_fn seek_fn() const { return is.tellg() == std::streampos(-1) ? nullptr : &IstreamSource::seek; }
    void finish(pxc_status st) {
        if (error) std::rethrow_exception(error);
        check(st);
    }
};
/// Bytes of one sample of a `pxc_sample` value.
inline std::size_t sample_size(std::uint32_t sample) {
    switch (sample) {
    case PXC_SAMPLE_U8: case PXC_SAMPLE_I8: return 1;
    case PXC_SAMPLE_U16: case PXC_SAMPLE_I16: case PXC_SAMPLE_F16: return 2;
    case PXC_SAMPLE_U32: case PXC_SAMPLE_I32: case PXC_SAMPLE_F32: return 4;
    default: return 8;
    }
}
/// The `pxc_sample` value of a C++ sample type (compile error for other types).
template <class T> constexpr std::uint32_t sample_of() {
    static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "not a pixcodec sample type");
    if constexpr (std::is_floating_point_v<T>) {
        static_assert(sizeof(T) == 4 || sizeof(T) == 8, "float or double only");
        return sizeof(T) == 4 ? PXC_SAMPLE_F32 : PXC_SAMPLE_F64;
    } else if constexpr (std::is_signed_v<T>) {
        return sizeof(T) == 1 ? PXC_SAMPLE_I8 : sizeof(T) == 2 ? PXC_SAMPLE_I16 : sizeof(T) == 4 ? PXC_SAMPLE_I32 : PXC_SAMPLE_I64;
    } else {
        return sizeof(T) == 1 ? PXC_SAMPLE_U8 : sizeof(T) == 2 ? PXC_SAMPLE_U16 : sizeof(T) == 4 ? PXC_SAMPLE_U32 : PXC_SAMPLE_U64;
    }
}
} // namespace detail

/// The library's version as "MAJOR.MINOR.PATCH" (what the loaded library says; compare
/// with PXC_VERSION_MAJOR & co. of the header you compiled against).
inline std::string version() { return pxc_version_string(); }
/// The loaded library's version as MAJOR * 10000 + MINOR * 100 + PATCH (PXC_VERSION_NUMBER
/// of the header it was built with).
inline std::uint32_t version_number() { return pxc_version(); }

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
    Limits() : h_(detail::not_null(pxc_limits_new())) {}
    Limits &max_width(std::uint32_t v) { detail::check(pxc_limits_set_max_width(h_.p, v)); return *this; }
    Limits &max_height(std::uint32_t v) { detail::check(pxc_limits_set_max_height(h_.p, v)); return *this; }
    Limits &max_pixels(std::uint64_t v) { detail::check(pxc_limits_set_max_pixels(h_.p, v)); return *this; }
    Limits &max_alloc_bytes(std::uint64_t v) { detail::check(pxc_limits_set_max_alloc_bytes(h_.p, v)); return *this; }
    Limits &max_pages(std::uint32_t v) { detail::check(pxc_limits_set_max_pages(h_.p, v)); return *this; }
    const pxc_limits *get() const { return h_.p; }

private:
    detail::Handle<pxc_limits, pxc_limits_free> h_;
};

/// One text entry of Metadata (PNG tEXt/zTXt/iTXt, TIFF text tags).
struct TextEntry {
    std::string keyword;
    std::string value;
    /// Language tag (PNG iTXt); empty when none.
    std::string language;
};

/// Pixel density: x and y pixels per `unit` (a pxc_resolution_unit); 0, 0, NONE when absent.
struct Resolution {
    double x = 0;
    double y = 0;
    std::uint32_t unit = PXC_RESOLUTION_UNIT_NONE;
};

/// One animation frame's timing: shown `delay_ms` milliseconds, then `disposal` (a
/// pxc_disposal); 0, KEEP when absent.
struct FrameTiming {
    std::uint32_t delay_ms = 0;
    std::uint32_t disposal = PXC_DISPOSAL_KEEP;
};

/// One TIFF tag kept as stored (GeoTIFF, GDAL, private tags): `count` values of TIFF field
/// type `field_type` (12 DOUBLE, 2 ASCII, ...), their bytes in the machine's byte order.
struct TiffTag {
    std::uint16_t tag = 0;
    std::uint16_t field_type = 0;
    std::uint64_t count = 0;
    std::vector<std::uint8_t> value;
};

/// Metadata beside the pixels (owned; move-only): from Registry::probe_metadata*, or built and
/// edited here, then written with EncodeOptions::metadata. Items are pxc_metadata_item values.
class Metadata {
public:
    /// Empty metadata.
    Metadata() : h_(detail::not_null(pxc_metadata_new())) {}
    /// Takes ownership of a handle from the C API.
    explicit Metadata(pxc_metadata *p) : h_(p) {}
    /// True when `item` is present (TEXT: any text entry).
    bool has(std::uint32_t item) const {
        bool b = false;
        detail::check(pxc_metadata_has(h_.p, item, &b));
        return b;
    }
    /// The ICC profile bytes (empty when none).
    std::vector<std::uint8_t> icc_profile() const { return bytes(pxc_metadata_icc_profile); }
    /// The EXIF block, TIFF-structured (empty when none).
    std::vector<std::uint8_t> exif() const { return bytes(pxc_metadata_exif); }
    /// The XMP packet (empty when none).
    std::vector<std::uint8_t> xmp() const { return bytes(pxc_metadata_xmp); }
    /// The orientation 1..8 (0 when none).
    std::uint16_t orientation() const {
        std::uint16_t o = 0;
        detail::check(pxc_metadata_orientation(h_.p, &o));
        return o;
    }
    /// The photometric convention, a pxc_photometric (PXC_PHOTOMETRIC_PLAIN when none).
    std::uint32_t photometric() const {
        std::uint32_t p = 0;
        detail::check(pxc_metadata_photometric(h_.p, &p));
        return p;
    }
    /// This page's animation timing (0 ms, KEEP when none: has(PXC_METADATA_ITEM_FRAME_TIMING)).
    FrameTiming frame_timing() const {
        FrameTiming t;
        detail::check(pxc_metadata_frame_timing(h_.p, &t.delay_ms, &t.disposal));
        return t;
    }
    /// Total plays, 0 for forever (0 also when none: has(PXC_METADATA_ITEM_LOOP_COUNT)).
    std::uint32_t loop_count() const {
        std::uint32_t n = 0;
        detail::check(pxc_metadata_loop_count(h_.p, &n));
        return n;
    }
    /// The TIFF tags kept as stored, in order (copies of their bytes).
    std::vector<TiffTag> tiff_tags() const {
        std::size_t n = 0;
        detail::check(pxc_metadata_tiff_tag_count(h_.p, &n));
        std::vector<TiffTag> v;
        for (std::size_t i = 0; i < n; i++) {
            TiffTag t;
            const std::uint8_t *p = nullptr;
            std::size_t len = 0;
            detail::check(pxc_metadata_tiff_tag(h_.p, i, &t.tag, &t.field_type, &t.count, &p, &len));
            t.value.assign(p, p + len);
            v.push_back(std::move(t));
        }
        return v;
    }
    Resolution resolution() const {
        Resolution r;
        detail::check(pxc_metadata_resolution(h_.p, &r.x, &r.y, &r.unit));
        return r;
    }
    /// The text entries in file order.
    std::vector<TextEntry> text() const {
        std::size_t n = 0;
        detail::check(pxc_metadata_text_count(h_.p, &n));
        std::vector<TextEntry> v;
        for (std::size_t i = 0; i < n; i++) {
            TextEntry t;
            t.keyword = detail::text([&](char *b, std::size_t c, std::size_t *nd) { return pxc_metadata_text_keyword(h_.p, i, b, c, nd); });
            t.value = detail::text([&](char *b, std::size_t c, std::size_t *nd) { return pxc_metadata_text_value(h_.p, i, b, c, nd); });
            t.language = detail::text([&](char *b, std::size_t c, std::size_t *nd) { return pxc_metadata_text_language(h_.p, i, b, c, nd); });
            v.push_back(std::move(t));
        }
        return v;
    }
    /// Items the file held in a form that could not be read, each with why.
    std::vector<std::string> unreadable() const {
        std::size_t n = 0;
        detail::check(pxc_metadata_unreadable_count(h_.p, &n));
        std::vector<std::string> v;
        for (std::size_t i = 0; i < n; i++)
            v.push_back(detail::text([&](char *b, std::size_t c, std::size_t *nd) { return pxc_metadata_unreadable(h_.p, i, b, c, nd); }));
        return v;
    }
    Metadata &set_icc_profile(const std::vector<std::uint8_t> &v) {
        detail::check(pxc_metadata_set_icc_profile(h_.p, v.data(), v.size()));
        return *this;
    }
    /// Checks the block's IFD structure (throws INVALID_ARGUMENT naming what is wrong).
    Metadata &set_exif(const std::vector<std::uint8_t> &v) {
        detail::check(pxc_metadata_set_exif(h_.p, v.data(), v.size()));
        return *this;
    }
    Metadata &set_xmp(const std::vector<std::uint8_t> &v) {
        detail::check(pxc_metadata_set_xmp(h_.p, v.data(), v.size()));
        return *this;
    }
    /// 1..8 (throws INVALID_ARGUMENT otherwise).
    Metadata &set_orientation(std::uint16_t o) { detail::check(pxc_metadata_set_orientation(h_.p, o)); return *this; }
    Metadata &set_photometric(std::uint32_t p) { detail::check(pxc_metadata_set_photometric(h_.p, p)); return *this; }
    /// `disposal` a pxc_disposal (throws INVALID_ARGUMENT otherwise).
    Metadata &set_frame_timing(std::uint32_t delay_ms, std::uint32_t disposal) {
        detail::check(pxc_metadata_set_frame_timing(h_.p, delay_ms, disposal));
        return *this;
    }
    /// Total plays, 0 for forever.
    Metadata &set_loop_count(std::uint32_t plays) { detail::check(pxc_metadata_set_loop_count(h_.p, plays)); return *this; }
    /// Adds TIFF tag `tag` (`count` values of `field_type` in `value`), replacing one with the
    /// same number (throws INVALID_ARGUMENT when the bytes are not `count` values of the type).
    Metadata &add_tiff_tag(std::uint16_t tag, std::uint16_t field_type, std::uint64_t count,
                           const std::vector<std::uint8_t> &value) {
        detail::check(pxc_metadata_add_tiff_tag(h_.p, tag, field_type, count, value.data(), value.size()));
        return *this;
    }
    Metadata &add_tiff_tag(const TiffTag &t) { return add_tiff_tag(t.tag, t.field_type, t.count, t.value); }
    /// Removes every TIFF tag.
    Metadata &clear_tiff_tags() { detail::check(pxc_metadata_clear_tiff_tags(h_.p)); return *this; }
    Metadata &set_resolution(double x, double y, std::uint32_t unit) {
        detail::check(pxc_metadata_set_resolution(h_.p, x, y, unit));
        return *this;
    }
    /// Appends a text entry (`language` empty: none).
    Metadata &add_text(const std::string &keyword, const std::string &value, const std::string &language = "") {
        detail::check(pxc_metadata_add_text(h_.p, keyword.c_str(), value.c_str(), language.c_str()));
        return *this;
    }
    /// Removes text entry `index` (throws INVALID_ARGUMENT when out of range).
    Metadata &remove_text(std::size_t index) { detail::check(pxc_metadata_remove_text(h_.p, index)); return *this; }
    /// Removes `item` (TEXT: every text entry).
    Metadata &remove(std::uint32_t item) { detail::check(pxc_metadata_remove(h_.p, item)); return *this; }
    const pxc_metadata *get() const { return h_.p; }
    pxc_metadata *get() { return h_.p; }

private:
    template <class F> std::vector<std::uint8_t> bytes(F f) const {
        std::size_t n = 0;
        pxc_status st = f(h_.p, nullptr, 0, &n);
        if (st != PXC_STATUS_BUFFER_TOO_SMALL) detail::check(st);
        std::vector<std::uint8_t> v(n);
        if (n) detail::check(f(h_.p, v.data(), v.size(), &n));
        return v;
    }
    detail::Handle<pxc_metadata, pxc_metadata_free> h_;
};

/// Encode options (codec, exactness, codec options by name).
class EncodeOptions {
public:
    EncodeOptions() : h_(detail::not_null(pxc_encode_options_new())) {}
    EncodeOptions &codec(const std::string &c) { detail::check(pxc_encode_options_set_codec(h_.p, c.c_str())); return *this; }
    EncodeOptions &require_exact(bool y) { detail::check(pxc_encode_options_set_require_exact(h_.p, y)); return *this; }
    EncodeOptions &verify(bool y) { detail::check(pxc_encode_options_set_verify(h_.p, y)); return *this; }
    /// File writes: replace a file the caller may not write (refused by default, as `cp` does).
    EncodeOptions &overwrite_readonly(bool y) {
        detail::check(pxc_encode_options_set_overwrite_readonly(h_.p, y));
        return *this;
    }
    /// File writes: replace a symlink by a file (by default the link's target is written).
    EncodeOptions &replace_symlink(bool y) {
        detail::check(pxc_encode_options_set_replace_symlink(h_.p, y));
        return *this;
    }
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
    /// Writes a copy of `m` with each encode (later edits of `m` do not change it).
    EncodeOptions &metadata(const Metadata &m) { detail::check(pxc_encode_options_set_metadata(h_.p, m.get())); return *this; }
    /// Writes no metadata given before.
    EncodeOptions &clear_metadata() { detail::check(pxc_encode_options_set_metadata(h_.p, nullptr)); return *this; }
    /// A pxc_metadata_policy value (KEEP by default, STRICT, STRIP).
    EncodeOptions &metadata_policy(std::uint32_t p) {
        detail::check(pxc_encode_options_set_metadata_policy(h_.p, p));
        return *this;
    }
    const pxc_encode_options *get() const { return h_.p; }

private:
    detail::Handle<pxc_encode_options, pxc_encode_options_free> h_;
};

/// A decoded image owned by someone else (a page of an ImageList); valid while its owner lives.
class ImageRef {
public:
    explicit ImageRef(const pxc_image *p) : p_(p) {}
    std::uint32_t width() const { return pxc_image_width(p_); }
    std::uint32_t height() const { return pxc_image_height(p_); }
    /// A `pxc_layout` value.
    std::uint32_t layout() const { return pxc_image_layout(p_); }
    /// A `pxc_sample` value (the file's own sample type).
    std::uint32_t sample() const { return pxc_image_sample(p_); }
    std::size_t stride() const { return pxc_image_stride(p_); }
    std::size_t size() const { return pxc_image_size(p_); }
    const std::uint8_t *data() const { return pxc_image_data(p_); }
    /// Typed samples (T must match sample(); the storage is 8-byte aligned).
    template <class T> const T *samples() const {
        if (detail::sample_of<T>() != sample()) throw Error(PXC_STATUS_INVALID_ARGUMENT, "samples<T>: T does not match sample()");
        return reinterpret_cast<const T *>(data());
    }
    /// A view for encoding this image again.
    pxc_image_view view() const {
        pxc_image_view v{};
        detail::check(pxc_image_view_of(p_, &v));
        return v;
    }
    const pxc_image *get() const { return p_; }

protected:
    const pxc_image *p_;
};

/// A decoded image (owned; move-only).
class Image : public ImageRef {
public:
    explicit Image(pxc_image *p) : ImageRef(p), h_(p) {}
    Image(Image &&o) noexcept : ImageRef(o.p_), h_(std::move(o.h_)) { o.p_ = nullptr; }
    Image &operator=(Image &&o) noexcept {
        if (this != &o) {
            h_ = std::move(o.h_);
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }

private:
    detail::Handle<pxc_image, pxc_image_free> h_;
};

/// Every page of a multi-page file (owned; move-only). Pages are borrowed ImageRefs.
class ImageList {
public:
    explicit ImageList(pxc_image_list *p) : h_(p) {}
    std::size_t size() const { return pxc_image_list_len(h_.p); }
    bool empty() const { return size() == 0; }
    /// Page `i` (throws INVALID_ARGUMENT when out of range).
    ImageRef operator[](std::size_t i) const {
        const pxc_image *img = pxc_image_list_get(h_.p, i);
        if (!img) throw Error(PXC_STATUS_INVALID_ARGUMENT, detail::last_error());
        return ImageRef(img);
    }
    /// Views of every page, in order (for pxc_encode_pages through Registry::encode_pages).
    std::vector<pxc_image_view> views() const {
        std::vector<pxc_image_view> v;
        for (std::size_t i = 0; i < size(); i++) v.push_back((*this)[i].view());
        return v;
    }
    const pxc_image_list *get() const { return h_.p; }

private:
    detail::Handle<pxc_image_list, pxc_image_list_free> h_;
};

/// Explicit conversions (pxc_convert_*): each returns a new image and changes no value unless
/// its name says so; a value that does not fit throws Error(PXC_STATUS_NOT_EXACT) naming it.
namespace convert {
namespace detail_convert {
template <class F> Image make(F f) {
    pxc_image *out = nullptr;
    detail::check(f(&out));
    return Image(out);
}
} // namespace detail_convert
/// Value-preserving change of sample type (`sample` is a pxc_sample).
inline Image cast(const pxc_image_view &v, std::uint32_t sample) {
    return detail_convert::make([&](pxc_image **o) { return pxc_convert_cast(&v, sample, o); });
}
/// The smallest sample type of the same kind that holds every value.
inline Image narrow(const pxc_image_view &v) {
    return detail_convert::make([&](pxc_image **o) { return pxc_convert_narrow(&v, o); });
}
/// Min-max rescaling into `sample` (changes values on purpose).
inline Image scale_minmax(const pxc_image_view &v, std::uint32_t sample) {
    return detail_convert::make([&](pxc_image **o) { return pxc_convert_scale_minmax(&v, sample, o); });
}
/// Linear rescaling of `lo..hi` onto `sample`'s range; outside values throw unless `clip`.
inline Image scale_range(const pxc_image_view &v, std::uint32_t sample, double lo, double hi, bool clip = false) {
    return detail_convert::make([&](pxc_image **o) { return pxc_convert_scale_range(&v, sample, lo, hi, clip, o); });
}
/// Channel layout conversion (`layout` is a pxc_layout): alpha added/dropped, gray <-> colour.
inline Image layout(const pxc_image_view &v, std::uint32_t layout) {
    return detail_convert::make([&](pxc_image **o) { return pxc_convert_layout(&v, layout, o); });
}
/// Colour samples become max - v (alpha kept): the type's maximum, or 2^significant_bits - 1
/// when `significant_bits` is not 0. Unsigned integers only. A negative: no metadata changes.
inline Image invert(const pxc_image_view &v, std::uint8_t significant_bits = 0) {
    return detail_convert::make([&](pxc_image **o) { return pxc_convert_invert(&v, significant_bits, nullptr, o); });
}
/// The same picture in the other photometric convention: invert(), and `m`'s convention flips
/// (white-is-zero or Adobe CMYK to plain, plain to the layout's inverted one).
inline Image apply_invert(const pxc_image_view &v, Metadata &m, std::uint8_t significant_bits = 0) {
    return detail_convert::make([&](pxc_image **o) { return pxc_convert_invert(&v, significant_bits, m.get(), o); });
}
} // namespace convert

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

/// A metadata item an encode did not keep as given, and why.
struct MetadataNote {
    /// `icc_profile`, `exif`, `orientation`, `xmp`, `resolution` or `text 'KEYWORD'`.
    std::string item;
    /// Why (e.g. "npy cannot store metadata").
    std::string reason;
};

/// What an encode did: every field of pxc_encode_report, and the dropped metadata items.
struct Report {
    /// Codec that wrote the data.
    std::string codec;
    /// Format written (`png`, `tiff`, …).
    std::string format;
    /// Bytes written.
    std::uint64_t bytes = 0;
    /// Pages written.
    std::uint32_t pages = 0;
    /// True when decoding the output gives back the input bit for bit.
    bool exact = false;
    /// Why the result is lossy (empty when exact).
    std::string lossy_reason;
    /// True when verification was requested (EncodeOptions::verify) and done.
    bool verified = false;
    /// With `verified`: every sample matched bit for bit.
    bool verify_identical = false;
    /// With `verified`: largest absolute difference of any sample.
    double verify_max_abs_diff = 0;
    /// With `verified`: PSNR in dB (infinite when identical).
    double verify_psnr_db = 0;
    /// Metadata items the encode did not keep as given (pxc_last_encode_dropped_*).
    std::vector<MetadataNote> metadata_dropped;
    /// The report of the encode that just returned `r` on this thread (the dropped list is the
    /// thread's most recent encode's, so call it right after that encode).
    static Report from(const pxc_encode_report &r) {
        Report o;
        o.codec = r.codec;
        o.format = r.format;
        o.bytes = r.bytes_written;
        o.pages = r.pages;
        o.exact = r.exact;
        o.lossy_reason = r.lossy_reason;
        o.verified = r.verified;
        o.verify_identical = r.verify_identical;
        o.verify_max_abs_diff = r.verify_max_abs_diff;
        o.verify_psnr_db = r.verify_psnr_db;
        std::size_t n = 0;
        detail::check(pxc_last_encode_dropped_count(&n));
        for (std::size_t i = 0; i < n; i++) {
            MetadataNote note;
            note.item = detail::text([i](char *b, std::size_t c, std::size_t *nd) { return pxc_last_encode_dropped_item(i, b, c, nd); });
            note.reason = detail::text([i](char *b, std::size_t c, std::size_t *nd) { return pxc_last_encode_dropped_reason(i, b, c, nd); });
            o.metadata_dropped.push_back(std::move(note));
        }
        return o;
    }
};

/// What a codec publishes about itself (pxc_codec_info plus its capability tables).
struct CodecInfo {
    std::string name;
    std::string format;
    std::string description;
    /// Extensions without dot, preferred first.
    std::vector<std::string> extensions;
    std::vector<std::string> mime_types;
    std::int32_t priority = 0;
    bool multi_page_encode = false;
    bool multi_page_decode = false;
    /// Pixel formats decode produces.
    std::vector<pxc_capability> decode_capabilities;
    /// Pixel formats encode accepts, exact or lossy (empty: decode-only codec).
    std::vector<pxc_capability> encode_capabilities;
};

/// Options of Registry::load (pxc_load_options): colour mode, target size, resize filter, fit.
class LoadOptions {
public:
    LoadOptions() : h_(detail::not_null(pxc_load_options_new())) {}
    /// A `pxc_color_mode` value (default RGB).
    LoadOptions &color_mode(std::uint32_t m) { detail::check(pxc_load_options_set_color_mode(h_.p, m)); return *this; }
    /// Resize to height x width (0, 0: the file's size, the default).
    LoadOptions &target_size(std::uint32_t height, std::uint32_t width) {
        detail::check(pxc_load_options_set_target_size(h_.p, height, width));
        return *this;
    }
    /// A `pxc_interpolation` value (default NEAREST).
    LoadOptions &interpolation(std::uint32_t i) { detail::check(pxc_load_options_set_interpolation(h_.p, i)); return *this; }
    /// A `pxc_fit` value (default STRETCH).
    LoadOptions &fit(std::uint32_t f) { detail::check(pxc_load_options_set_fit(h_.p, f)); return *this; }
    LoadOptions &antialias(bool y) { detail::check(pxc_load_options_set_antialias(h_.p, y)); return *this; }
    LoadOptions &shrink_on_load(bool y) { detail::check(pxc_load_options_set_shrink_on_load(h_.p, y)); return *this; }
    LoadOptions &shrink_min_psnr(double db) { detail::check(pxc_load_options_set_shrink_min_psnr(h_.p, db)); return *this; }
    /// A `pxc_dct_method` value (default ACCURATE).
    LoadOptions &dct_method(std::uint32_t m) { detail::check(pxc_load_options_set_dct_method(h_.p, m)); return *this; }
    /// Decoding limits (copied).
    LoadOptions &limits(const Limits &l) { detail::check(pxc_load_options_set_limits(h_.p, l.get())); return *this; }
    const pxc_load_options *get() const { return h_.p; }

private:
    detail::Handle<pxc_load_options, pxc_load_options_free> h_;
};

/// A loaded image as ML input: `(height, width, channels)` channels-last samples of type T.
template <class T> struct Tensor {
    std::uint32_t height = 0;
    std::uint32_t width = 0;
    std::uint32_t channels = 0;
    /// Facts of the result (size, layout, sample) and of the file (pages, codec, format).
    pxc_info info{};
    /// height * width * channels samples, rows tightly packed.
    std::vector<T> data;
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
        std::vector<std::string> v;
        for (const CodecInfo &c : codecs()) v.push_back(c.name);
        return v;
    }
    /// Every registered codec with its capability tables, highest priority first.
    std::vector<CodecInfo> codecs() const {
        std::size_t n = 0;
        detail::check(pxc_registry_codec_count(get(), &n));
        std::vector<CodecInfo> v;
        for (std::size_t i = 0; i < n; i++) {
            pxc_codec_info ci;
            detail::check(pxc_registry_codec_info(get(), i, &ci));
            CodecInfo c;
            c.name = ci.name;
            c.format = ci.format;
            c.description = ci.description;
            c.extensions = detail::split_commas(ci.extensions);
            c.mime_types = detail::split_commas(ci.mime_types);
            c.priority = ci.priority;
            c.multi_page_encode = ci.multi_page_encode;
            c.multi_page_decode = ci.multi_page_decode;
            c.decode_capabilities = capabilities(c.name, false, ci.decode_capability_count);
            c.encode_capabilities = capabilities(c.name, true, ci.encode_capability_count);
            v.push_back(std::move(c));
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
    /// PXC_FIDELITY_EXACT, _LOSSY or _NONE.
    std::uint32_t can_decode(const std::string &codec, std::uint32_t layout, std::uint32_t sample) const {
        std::uint32_t f = 0;
        detail::check(pxc_registry_can_decode(get(), codec.c_str(), layout, sample, &f));
        return f;
    }
    /// PXC_FIDELITY_EXACT, _LOSSY or _NONE with these encode options (JPEG: EXACT with
    /// lossless=true).
    std::uint32_t can_encode_with(const std::string &codec, std::uint32_t layout, std::uint32_t sample,
                                  const EncodeOptions &options) const {
        std::uint32_t f = 0;
        detail::check(pxc_registry_can_encode_with(get(), codec.c_str(), layout, sample, options.get(), &f));
        return f;
    }
    /// The options ("KEY=VALUE,...") that make a lossy encode row exact ("lossless=true" for
    /// jpeg-turbo); empty when none do.
    std::string encode_exact_with(const std::string &codec, std::uint32_t layout, std::uint32_t sample) const {
        char buf[PXC_TEXT_MAX];
        detail::check(pxc_registry_encode_exact_with(get(), codec.c_str(), layout, sample, buf, sizeof buf));
        return buf;
    }
    std::string find_by_extension(const std::string &ext) const {
        char buf[PXC_NAME_MAX];
        detail::check(pxc_registry_find_by_extension(get(), ext.c_str(), buf, sizeof buf));
        return buf;
    }
    std::string find_by_mime(const std::string &mime) const {
        char buf[PXC_NAME_MAX];
        detail::check(pxc_registry_find_by_mime(get(), mime.c_str(), buf, sizeof buf));
        return buf;
    }
    /// The codec whose signature matches the first bytes of `bytes`.
    std::string find_by_content(const std::vector<std::uint8_t> &bytes) const {
        char buf[PXC_NAME_MAX];
        detail::check(pxc_registry_find_by_content(get(), bytes.data(), bytes.size(), buf, sizeof buf));
        return buf;
    }

    pxc_info probe(const std::uint8_t *data, std::size_t len, const Limits *limits = nullptr) const {
        pxc_info info;
        detail::check(pxc_probe(get(), data, len, lim(limits), &info));
        return info;
    }
    pxc_info probe(const std::vector<std::uint8_t> &bytes, const Limits *limits = nullptr) const {
        return probe(bytes.data(), bytes.size(), limits);
    }
    pxc_info probe_file(const std::string &path, const Limits *limits = nullptr) const {
        pxc_info info;
        detail::check(pxc_probe_file(get(), path.c_str(), lim(limits), &info));
        return info;
    }
    /// The metadata of encoded bytes, as stored (no pixels decoded).
    Metadata probe_metadata(const std::uint8_t *data, std::size_t len, const Limits *limits = nullptr) const {
        pxc_metadata *m = nullptr;
        detail::check(pxc_probe_metadata(get(), data, len, lim(limits), &m));
        return Metadata(m);
    }
    Metadata probe_metadata(const std::vector<std::uint8_t> &bytes, const Limits *limits = nullptr) const {
        return probe_metadata(bytes.data(), bytes.size(), limits);
    }
    Metadata probe_metadata_file(const std::string &path, const Limits *limits = nullptr) const {
        pxc_metadata *m = nullptr;
        detail::check(pxc_probe_metadata_file(get(), path.c_str(), lim(limits), &m));
        return Metadata(m);
    }
    /// The metadata of page `page` (0-based), as stored: an animation frame's own timing.
    Metadata probe_metadata_page(const std::vector<std::uint8_t> &bytes, std::uint32_t page,
                                 const Limits *limits = nullptr) const {
        pxc_metadata *m = nullptr;
        detail::check(pxc_probe_metadata_page(get(), bytes.data(), bytes.size(), page, lim(limits), &m));
        return Metadata(m);
    }
    Metadata probe_metadata_page_file(const std::string &path, std::uint32_t page, const Limits *limits = nullptr) const {
        pxc_metadata *m = nullptr;
        detail::check(pxc_probe_metadata_page_file(get(), path.c_str(), page, lim(limits), &m));
        return Metadata(m);
    }
    Image decode(const std::uint8_t *data, std::size_t len, const Limits *limits = nullptr) const {
        pxc_image *img = nullptr;
        detail::check(pxc_decode(get(), data, len, lim(limits), &img));
        return Image(img);
    }
    Image decode(const std::vector<std::uint8_t> &bytes, const Limits *limits = nullptr) const {
        return decode(bytes.data(), bytes.size(), limits);
    }
    /// Decodes the first page from a stream, read from its current position to its end.
    Image decode(std::istream &in, const Limits *limits = nullptr) const {
        detail::IstreamSource src{in, nullptr};
        pxc_image *img = nullptr;
        src.finish(pxc_decode_callbacks(get(), &detail::IstreamSource::read, src.seek_fn(), &src, lim(limits), &img));
        return Image(img);
    }
    /// Decodes the first page from a callable `std::size_t read(std::uint8_t *buf, std::size_t cap)`
    /// returning the bytes read (0 at the end); what it throws reaches the caller.
    template <class Read, class = std::enable_if_t<std::is_invocable_r_v<std::size_t, Read &, std::uint8_t *, std::size_t>>>
    Image decode_from(Read &&read, const Limits *limits = nullptr) const {
        detail::Callback<std::remove_reference_t<Read>> cb{read, nullptr};
        pxc_image *img = nullptr;
        cb.finish(pxc_decode_callbacks(get(), &detail::read_trampoline<std::remove_reference_t<Read>>, nullptr, &cb,
                                       lim(limits), &img));
        return Image(img);
    }
    Image read(const std::string &path, const Limits *limits = nullptr) const {
        pxc_image *img = nullptr;
        detail::check(pxc_decode_file(get(), path.c_str(), lim(limits), &img));
        return Image(img);
    }
    /// Every page of encoded bytes.
    ImageList decode_pages(const std::vector<std::uint8_t> &bytes, const Limits *limits = nullptr) const {
        pxc_image_list *l = nullptr;
        detail::check(pxc_decode_pages(get(), bytes.data(), bytes.size(), lim(limits), &l));
        return ImageList(l);
    }
    /// Every page from a stream (see decode(std::istream&)).
    ImageList decode_pages(std::istream &in, const Limits *limits = nullptr) const {
        detail::IstreamSource src{in, nullptr};
        pxc_image_list *l = nullptr;
        src.finish(pxc_decode_pages_callbacks(get(), &detail::IstreamSource::read, src.seek_fn(), &src, lim(limits), &l));
        return ImageList(l);
    }
    /// Every page of a file.
    ImageList read_pages(const std::string &path, const Limits *limits = nullptr) const {
        pxc_image_list *l = nullptr;
        detail::check(pxc_decode_pages_file(get(), path.c_str(), lim(limits), &l));
        return ImageList(l);
    }
    /// Decodes into caller memory (two-phase: resizes `out` to the needed size).
    pxc_info decode_into(const std::vector<std::uint8_t> &bytes, std::vector<std::uint8_t> &out,
                         std::size_t stride = 0, const Limits *limits = nullptr) const {
        std::size_t needed = 0;
        pxc_info info;
        pxc_status st = pxc_decode_into(get(), bytes.data(), bytes.size(), lim(limits), out.empty() ? nullptr : out.data(),
                                        out.size(), stride, &info, &needed);
        if (st == PXC_STATUS_BUFFER_TOO_SMALL) {
            out.resize(needed);
            st = pxc_decode_into(get(), bytes.data(), bytes.size(), lim(limits), out.data(), out.size(), stride, &info,
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
        detail::check(pxc_encode(get(), &image, tgt(target), opt(opts), &b, &r));
        return take(b, r, report);
    }
    /// Encodes several pages into one file in memory (multi-page codecs such as TIFF).
    std::vector<std::uint8_t> encode_pages(const std::vector<pxc_image_view> &pages, const std::string &target,
                                           const EncodeOptions *opts = nullptr, Report *report = nullptr) const {
        pxc_bytes b{};
        pxc_encode_report r;
        detail::check(pxc_encode_pages(get(), pages.data(), pages.size(), tgt(target), opt(opts), &b, &r));
        return take(b, r, report);
    }
    /// Encodes into a reusable buffer.
    Report encode_into(const pxc_image_view &image, const std::string &target, Buffer &buf,
                       const EncodeOptions *opts = nullptr) const {
        pxc_encode_report r;
        detail::check(pxc_encode_to_buffer(get(), &image, tgt(target), opt(opts), buf.get(), &r));
        return Report::from(r);
    }
    /// Encodes to a stream. On failure the stream may hold part of the output.
    Report encode(const pxc_image_view &image, const std::string &target, std::ostream &out,
                  const EncodeOptions *opts = nullptr) const {
        return encode_to(image, target, [&out](const std::uint8_t *data, std::size_t len) {
            out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(len));
            if (!out) throw Error(PXC_STATUS_IO, "std::ostream write failed");
        }, opts);
    }
    /// Encodes to a callable `void write(const std::uint8_t *data, std::size_t len)`, called
    /// as often as needed; what it throws stops the encode and reaches the caller.
    template <class Write, class = std::enable_if_t<std::is_invocable_v<Write &, const std::uint8_t *, std::size_t>>>
    Report encode_to(const pxc_image_view &image, const std::string &target, Write &&write,
                     const EncodeOptions *opts = nullptr) const {
        detail::Callback<std::remove_reference_t<Write>> cb{write, nullptr};
        pxc_encode_report r;
        cb.finish(pxc_encode_to_callback(get(), &image, tgt(target), opt(opts),
                                         &detail::write_trampoline<std::remove_reference_t<Write>>, &cb, &r));
        return Report::from(r);
    }
    /// Writes a file atomically (format from the extension unless `target` is given).
    Report write(const pxc_image_view &image, const std::string &path, const std::string &target = "",
                 const EncodeOptions *opts = nullptr) const {
        pxc_encode_report r;
        detail::check(pxc_encode_to_file(get(), &image, path.c_str(), tgt(target), opt(opts), &r));
        return Report::from(r);
    }
    /// Writes several pages to one file atomically.
    Report write_pages(const std::vector<pxc_image_view> &pages, const std::string &path,
                       const std::string &target = "", const EncodeOptions *opts = nullptr) const {
        pxc_encode_report r;
        detail::check(pxc_encode_pages_to_file(get(), pages.data(), pages.size(), path.c_str(), tgt(target), opt(opts), &r));
        return Report::from(r);
    }

    /// ML loading (pxc_load_into): decode, colour mode, exact cast to T, resize. Throws
    /// NOT_EXACT when T cannot hold the file's values (16-bit data into std::uint8_t).
    template <class T> Tensor<T> load(const std::vector<std::uint8_t> &bytes, const LoadOptions *opts = nullptr) const {
        return load_impl<T>([&](void *buf, std::size_t len, pxc_info *info, std::size_t *needed) {
            return pxc_load_into(get(), bytes.data(), bytes.size(), opts ? opts->get() : nullptr, buf, len, 0,
                                 detail::sample_of<T>(), info, needed);
        });
    }
    /// ML loading of a file (see load).
    template <class T> Tensor<T> load_file(const std::string &path, const LoadOptions *opts = nullptr) const {
        return load_impl<T>([&](void *buf, std::size_t len, pxc_info *info, std::size_t *needed) {
            return pxc_load_file_into(get(), path.c_str(), opts ? opts->get() : nullptr, buf, len, 0,
                                      detail::sample_of<T>(), info, needed);
        });
    }

private:
    Registry(pxc_registry *p, bool owned) : p_(owned ? p : nullptr), borrowed_(owned ? nullptr : p) {
        if (!p) throw Error(PXC_STATUS_PANIC, detail::last_error());
    }
    static const pxc_limits *lim(const Limits *l) { return l ? l->get() : nullptr; }
    static const pxc_encode_options *opt(const EncodeOptions *o) { return o ? o->get() : nullptr; }
    static const char *tgt(const std::string &t) { return t.empty() ? nullptr : t.c_str(); }
    static std::vector<std::uint8_t> take(pxc_bytes &b, const pxc_encode_report &r, Report *report) {
        std::vector<std::uint8_t> v;
        try {
            v.assign(b.data, b.data + b.len);
        } catch (...) {
            pxc_bytes_free(&b);
            throw;
        }
        pxc_bytes_free(&b);
        if (report) *report = Report::from(r);
        return v;
    }
    std::vector<pxc_capability> capabilities(const std::string &codec, bool encode, std::size_t n) const {
        std::vector<pxc_capability> v(n);
        for (std::size_t i = 0; i < n; i++)
            detail::check(pxc_registry_codec_capability(get(), codec.c_str(), encode, i, &v[i]));
        return v;
    }
    template <class T, class F> static Tensor<T> load_impl(F call) {
        Tensor<T> t;
        std::size_t needed = 0;
        pxc_status st = call(nullptr, 0, &t.info, &needed);
        if (st != PXC_STATUS_BUFFER_TOO_SMALL) detail::check(st);
        t.data.resize(needed / sizeof(T));
        detail::check(call(t.data.data(), t.data.size() * sizeof(T), &t.info, &needed));
        t.height = t.info.height;
        t.width = t.info.width;
        t.channels = t.info.layout == PXC_LAYOUT_GRAY ? 1 : t.info.layout == PXC_LAYOUT_RGB ? 3 : 4;
        return t;
    }
    detail::Handle<pxc_registry, pxc_registry_free> p_;
    pxc_registry *borrowed_ = nullptr;
};

/// Options of Dataset::open (pxc_dataset_options), Keras' defaults until changed.
class DatasetOptions {
public:
    DatasetOptions() : h_(detail::not_null(pxc_dataset_options_new())) {}
    DatasetOptions &image_size(std::uint32_t height, std::uint32_t width) {
        detail::check(pxc_dataset_options_set_image_size(h_.p, height, width));
        return *this;
    }
    DatasetOptions &batch_size(std::size_t n) { detail::check(pxc_dataset_options_set_batch_size(h_.p, n)); return *this; }
    /// A `pxc_color_mode` value.
    DatasetOptions &color_mode(std::uint32_t m) { detail::check(pxc_dataset_options_set_color_mode(h_.p, m)); return *this; }
    DatasetOptions &shuffle(bool y) { detail::check(pxc_dataset_options_set_shuffle(h_.p, y)); return *this; }
    DatasetOptions &seed(std::uint32_t s) { detail::check(pxc_dataset_options_set_seed(h_.p, s)); return *this; }
    /// Fraction for validation and a `pxc_subset` value (split 0 removes the split).
    DatasetOptions &validation_split(double split, std::uint32_t subset) {
        detail::check(pxc_dataset_options_set_validation_split(h_.p, split, subset));
        return *this;
    }
    /// A `pxc_label_mode` value.
    DatasetOptions &label_mode(std::uint32_t m) { detail::check(pxc_dataset_options_set_label_mode(h_.p, m)); return *this; }
    DatasetOptions &class_names(const std::vector<std::string> &names) {
        std::vector<const char *> p;
        for (const auto &n : names) p.push_back(n.c_str());
        detail::check(pxc_dataset_options_set_class_names(h_.p, p.data(), p.size()));
        return *this;
    }
    DatasetOptions &extensions(const std::vector<std::string> &exts) {
        std::vector<const char *> p;
        for (const auto &e : exts) p.push_back(e.c_str());
        detail::check(pxc_dataset_options_set_extensions(h_.p, p.data(), p.size()));
        return *this;
    }
    /// A `pxc_interpolation` value.
    DatasetOptions &interpolation(std::uint32_t i) { detail::check(pxc_dataset_options_set_interpolation(h_.p, i)); return *this; }
    /// A `pxc_fit` value.
    DatasetOptions &fit(std::uint32_t f) { detail::check(pxc_dataset_options_set_fit(h_.p, f)); return *this; }
    DatasetOptions &antialias(bool y) { detail::check(pxc_dataset_options_set_antialias(h_.p, y)); return *this; }
    DatasetOptions &follow_links(bool y) { detail::check(pxc_dataset_options_set_follow_links(h_.p, y)); return *this; }
    /// A `pxc_sample` value for the batches (default F32).
    DatasetOptions &dtype(std::uint32_t s) { detail::check(pxc_dataset_options_set_dtype(h_.p, s)); return *this; }
    DatasetOptions &skip_errors(bool y) { detail::check(pxc_dataset_options_set_skip_errors(h_.p, y)); return *this; }
    DatasetOptions &shrink_on_load(bool y) { detail::check(pxc_dataset_options_set_shrink_on_load(h_.p, y)); return *this; }
    DatasetOptions &shrink_min_psnr(double db) { detail::check(pxc_dataset_options_set_shrink_min_psnr(h_.p, db)); return *this; }
    /// A `pxc_dct_method` value (default FAST, as TensorFlow).
    DatasetOptions &dct_method(std::uint32_t m) { detail::check(pxc_dataset_options_set_dct_method(h_.p, m)); return *this; }
    DatasetOptions &limits(const Limits &l) { detail::check(pxc_dataset_options_set_limits(h_.p, l.get())); return *this; }
    const pxc_dataset_options *get() const { return h_.p; }

private:
    detail::Handle<pxc_dataset_options, pxc_dataset_options_free> h_;
};

/// One filled batch: `count` images as an `(N, H, W, C)` array and their labels.
struct Batch {
    /// Batch index.
    std::size_t index = 0;
    /// Images in this batch (smaller than the batch size for the last batch or with skip-errors).
    std::size_t count = 0;
    /// Image bytes (the dataset's sample type; see Dataset::image_shape).
    std::vector<std::uint8_t> images;
    /// Label bytes (I32 for INT labels, F32 otherwise; see Dataset::label_shape).
    std::vector<std::uint8_t> labels;
    /// Files left out with skip-errors: path and reason.
    std::vector<std::pair<std::string, std::string>> skipped;
    /// Typed image samples (T must match the dataset's dtype; storage is suitably aligned).
    template <class T> const T *image_data() const { return reinterpret_cast<const T *>(images.data()); }
    /// Typed labels (std::int32_t for INT labels, float otherwise).
    template <class T> const T *label_data() const { return reinterpret_cast<const T *>(labels.data()); }
};

/// Shape of one image in a batch.
struct ImageShape {
    std::size_t height = 0, width = 0, channels = 0;
    /// A `pxc_sample` value.
    std::uint32_t sample = 0;
};

/// A directory indexed like Keras' image_dataset_from_directory (owned; move-only). Iterate
/// with `for (const Batch &b : ds)`; each step decodes one batch (errors are thrown).
class Dataset {
public:
    /// Indexes `dir` (the whole set, or the subset chosen in `opts`).
    static Dataset open(const std::string &dir, const DatasetOptions *opts = nullptr) {
        pxc_dataset *ds = nullptr;
        detail::check(pxc_dataset_open(dir.c_str(), opts ? opts->get() : nullptr, &ds));
        return Dataset(ds);
    }
    /// Training and validation subsets from one index (Keras' subset="both").
    static std::pair<Dataset, Dataset> open_both(const std::string &dir, const DatasetOptions &opts) {
        pxc_dataset *tr = nullptr, *va = nullptr;
        detail::check(pxc_dataset_open_both(dir.c_str(), opts.get(), &tr, &va));
        return {Dataset(tr), Dataset(va)};
    }
    /// Number of files.
    std::size_t size() const { return count(pxc_dataset_len); }
    std::size_t num_batches() const { return count(pxc_dataset_num_batches); }
    std::size_t class_count() const { return count(pxc_dataset_class_count); }
    std::string class_name(std::size_t i) const {
        return detail::text([&](char *b, std::size_t c, std::size_t *n) { return pxc_dataset_class_name(h_.p, i, b, c, n); });
    }
    std::vector<std::string> class_names() const {
        std::vector<std::string> v;
        for (std::size_t i = 0; i < class_count(); i++) v.push_back(class_name(i));
        return v;
    }
    /// Path of file `i` in dataset order.
    std::string file_path(std::size_t i) const {
        return detail::text([&](char *b, std::size_t c, std::size_t *n) { return pxc_dataset_file_path(h_.p, i, b, c, n); });
    }
    /// Integer label of file `i` (throws when the dataset has no labels).
    std::int32_t file_label(std::size_t i) const {
        std::int32_t l = 0;
        detail::check(pxc_dataset_file_label(h_.p, i, &l));
        return l;
    }
    ImageShape image_shape() const {
        ImageShape s;
        detail::check(pxc_dataset_image_shape(h_.p, &s.height, &s.width, &s.channels, &s.sample));
        return s;
    }
    /// Label values per image and their `pxc_sample` value.
    std::pair<std::size_t, std::uint32_t> label_shape() const {
        std::size_t per = 0;
        std::uint32_t sample = 0;
        detail::check(pxc_dataset_label_shape(h_.p, &per, &sample));
        return {per, sample};
    }
    /// Keras' "Found N files belonging to K classes." (and the split line).
    std::string summary() const {
        return detail::text([&](char *b, std::size_t c, std::size_t *n) { return pxc_dataset_summary(h_.p, b, c, n); });
    }
    /// Fills batch `index` into `out`, reusing its memory.
    void fill(std::size_t index, Batch &out) const {
        std::size_t n_img = 0, n_lab = 0, n = 0;
        pxc_status st = pxc_dataset_fill_batch(h_.p, index, nullptr, 0, nullptr, 0, &n, &n_img, &n_lab);
        if (st != PXC_STATUS_BUFFER_TOO_SMALL) detail::check(st);
        out.images.resize(n_img);
        out.labels.resize(n_lab);
        detail::check(pxc_dataset_fill_batch(h_.p, index, out.images.data(), out.images.size(),
                                             n_lab ? out.labels.data() : nullptr, out.labels.size(), &n, nullptr, nullptr));
        out.index = index;
        out.count = n;
        // With skipped files the batch is shorter than the buffers: trim them to `count`.
        ImageShape is = image_shape();
        std::pair<std::size_t, std::uint32_t> ls = label_shape();
        out.images.resize(n * is.height * is.width * is.channels * detail::sample_size(is.sample));
        out.labels.resize(n * ls.first * detail::sample_size(ls.second));
        out.skipped.clear();
        std::size_t skipped = count(pxc_dataset_skipped_count);
        for (std::size_t i = 0; i < skipped; i++) {
            out.skipped.emplace_back(
                detail::text([&](char *b, std::size_t c, std::size_t *need) { return pxc_dataset_skipped_path(h_.p, i, b, c, need); }),
                detail::text([&](char *b, std::size_t c, std::size_t *need) { return pxc_dataset_skipped_reason(h_.p, i, b, c, need); }));
        }
    }
    /// Batch `index`, newly allocated.
    Batch batch(std::size_t index) const {
        Batch b;
        fill(index, b);
        return b;
    }

    /// Input iterator over the batches, reusing one Batch's memory.
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Batch;
        using difference_type = std::ptrdiff_t;
        using pointer = const Batch *;
        using reference = const Batch &;
        iterator(const Dataset *ds, std::size_t i) : ds_(ds), i_(i) { load(); }
        reference operator*() const { return b_; }
        pointer operator->() const { return &b_; }
        iterator &operator++() {
            i_++;
            load();
            return *this;
        }
        bool operator==(const iterator &o) const { return i_ == o.i_ && ds_ == o.ds_; }
        bool operator!=(const iterator &o) const { return !(*this == o); }

    private:
        void load() {
            if (ds_ && i_ < ds_->num_batches()) ds_->fill(i_, b_);
        }
        const Dataset *ds_;
        std::size_t i_;
        Batch b_;
    };
    iterator begin() const { return iterator(this, 0); }
    iterator end() const { return iterator(this, num_batches()); }

    const pxc_dataset *get() const { return h_.p; }

private:
    explicit Dataset(pxc_dataset *p) : h_(p) {}
    std::size_t count(pxc_status (*f)(const pxc_dataset *, std::size_t *)) const {
        std::size_t n = 0;
        detail::check(f(h_.p, &n));
        return n;
    }
    detail::Handle<pxc_dataset, pxc_dataset_free> h_;
};

} // namespace pixcodec

#endif // PIXCODEC_HPP
