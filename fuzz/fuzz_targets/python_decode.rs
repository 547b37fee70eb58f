//! The Python package's decode entry (`pixcodec.decode(data, *, codec=None, page=0,
//! limits=None, dct_method=None)`, `decode_pages`, `decode_volume`, `probe`) over the public
//! Rust surface the binding calls: `Registry::global()` with `DecodeOptions` (codec, limits,
//! DCT method). The first four input bytes choose the options, the rest is the file:
//!
//! - byte 0: the codec (`codec=None`, i.e. content sniffing, or one of the registry's codecs);
//! - byte 1: the page (0..=3), reached as the binding must: `Registry::decoder`, then
//!   `Decoder::next_page`, then the page's limits check and `Decoder::decode_into`
//!   (`DecodeOptions` has no page field); bit 7: `dct_method="fast"` (JPEG's fast IDCT);
//! - bytes 2, 3: which limits a caller tightened (bit mask over width, height, pixels,
//!   allocation, pages) and to what, including zero.
//!
//! Invariants: no panic; whatever succeeds respects the limits; probe, `decode`, the page
//! path, `decode_pages` and `decode_volume` agree on geometry and pixels.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pixcodec::{DctMethod, DecodeOptions, Image, Limits, Registry};

/// The limits a caller asked for: the fuzzing ceiling (64 MiB, 64 pages) with the fields
/// selected by `mask` lowered to values derived from `v` (zero included).
fn limits(mask: u8, v: u8) -> Limits {
    let mut l = pixcodec_fuzz::limits();
    let v64 = u64::from(v);
    if mask & 1 != 0 {
        l.max_width = u32::from(v) * 4;
    }
    if mask & 2 != 0 {
        l.max_height = u32::from(v) * 4;
    }
    if mask & 4 != 0 {
        l.max_pixels = v64 * v64 * 16;
    }
    if mask & 8 != 0 {
        l.max_alloc_bytes = v64 << 12;
    }
    if mask & 16 != 0 {
        l.max_pages = u32::from(v % 5);
    }
    l
}

fn within(l: &Limits, img: &Image) -> bool {
    let (w, h) = (img.width(), img.height());
    let bytes = u64::from(w) * u64::from(h) * img.format().bytes_per_pixel() as u64;
    w <= l.max_width && h <= l.max_height && u64::from(w) * u64::from(h) <= l.max_pixels && bytes <= l.max_alloc_bytes
}

/// `pixcodec.decode(data, page=page)`: the decoder moved to `page`, checked, decoded.
fn decode_page(reg: &Registry, data: &[u8], opts: &DecodeOptions, page: u32) -> Option<Image> {
    let mut dec = reg.decoder(data, opts).ok()?;
    for _ in 0..page {
        if !dec.next_page().ok()? {
            return None;
        }
    }
    let info = dec.info().clone();
    opts.limits.check_image(info.width, info.height, info.format).ok()?;
    let mut img = Image::new(info.width, info.height, info.format).ok()?;
    dec.decode_into(img.as_mut()).ok()?;
    Some(img)
}

fuzz_target!(|data: &[u8]| {
    let [pick, page, mask, v, ref file @ ..] = *data else {
        return;
    };
    let reg = Registry::global();
    let codecs = reg.codecs();
    let mut opts = DecodeOptions::new().limits(limits(mask, v));
    let pick = pick as usize % (codecs.len() + 1);
    if pick < codecs.len() {
        opts = opts.codec(&codecs[pick].descriptor().name);
    }
    // `dct_method="fast"` (TensorFlow's IDCT) on bit 7 of the page byte.
    if page & 0x80 != 0 {
        opts = opts.dct_method(DctMethod::Fast);
    }
    let page = u32::from(page % 4);
    let l = opts.limits;

    let probed = reg.probe(file, &opts);
    let first = reg.decode(file, &opts);
    if let Ok(img) = &first {
        assert!(
            within(&l, img),
            "decode ignored the limits: {}x{} {} under {l:?}",
            img.width(),
            img.height(),
            img.format()
        );
        let info = probed.as_ref().expect("decode succeeded but probe failed");
        assert_eq!(
            (info.width, info.height, info.format),
            (img.width(), img.height(), img.format()),
            "probe disagrees with decode"
        );
    }
    let paged = decode_page(reg, file, &opts, page);
    let pages = reg.decode_pages(file, &opts);
    if let Ok(pages) = &pages {
        assert!(!pages.is_empty(), "decode_pages returned no page");
        assert!(
            pages.len() as u64 <= u64::from(l.max_pages),
            "decode_pages ignored max_pages"
        );
        let total: u64 = pages
            .iter()
            .map(|p| u64::from(p.width()) * u64::from(p.height()) * p.format().bytes_per_pixel() as u64)
            .sum();
        assert!(
            total <= l.max_alloc_bytes,
            "decode_pages allocated {total} bytes over the limit"
        );
        for p in pages {
            assert!(within(&l, p), "decode_pages ignored the limits");
        }
        if let Ok(img) = &first {
            assert!(
                img.as_ref().pixels_eq(&pages[0].as_ref()),
                "decode and decode_pages differ on page 0"
            );
        }
        if let (Some(img), Some(want)) = (&paged, pages.get(page as usize)) {
            assert!(
                img.as_ref().pixels_eq(&want.as_ref()),
                "page {page} differs between the decoder and decode_pages"
            );
        }
    }
    if page == 0 {
        if let (Some(img), Ok(want)) = (&paged, &first) {
            assert!(
                img.as_ref().pixels_eq(&want.as_ref()),
                "decoder page 0 differs from decode"
            );
        }
    }
    if let Ok(vol) = reg.decode_volume(file, &opts) {
        assert!(
            vol.depth() >= 1 && vol.depth() <= l.max_pages,
            "decode_volume ignored max_pages"
        );
        assert!(
            vol.as_bytes().len() as u64 <= l.max_alloc_bytes,
            "decode_volume ignored max_alloc_bytes"
        );
        if let Ok(pages) = &pages {
            assert_eq!(
                vol.depth() as usize,
                pages.len(),
                "decode_volume and decode_pages count different pages"
            );
            for (i, p) in pages.iter().enumerate() {
                assert!(
                    vol.page(i as u32).pixels_eq(&p.as_ref()),
                    "decode_volume page {i} differs from decode_pages"
                );
            }
        }
    }
});
