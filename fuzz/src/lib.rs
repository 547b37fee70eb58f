//! Shared helpers of the pixcodec fuzz targets.

use std::sync::OnceLock;

use pixcodec::{DecodeOptions, Image, ImageMut, Limits, Registry};

/// The registry every target uses (built-ins, so new built-in codecs are fuzzed too).
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(Registry::with_builtins)
}

/// Limits for fuzzing: a hostile header may claim at most 64 MiB (libFuzzer's default
/// `-rss_limit_mb=2048` then catches any allocation the limits failed to stop).
pub fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_alloc_bytes = 64 << 20;
    l.max_pages = 64;
    l
}

/// Decodes `data` every way a user can (probe, all pages, first page into caller memory
/// with padded rows) and checks the invariants that must hold for any input:
/// no panic (libFuzzer reports it), probe agrees with the decoded image, and
/// `decode_into` never writes row padding.
pub fn decode_everything(data: &[u8], codec: Option<&str>) {
    let reg = registry();
    let mut opts = DecodeOptions::new().limits(limits());
    if let Some(c) = codec {
        opts = opts.codec(c);
    }
    let probed = reg.probe(data, &opts);
    let pages = reg.decode_pages(data, &opts);
    if let (Ok(info), Ok(pages)) = (&probed, &pages) {
        let first = &pages[0];
        assert_eq!(
            (info.width, info.height, info.format),
            (first.width(), first.height(), first.format()),
            "probe disagrees with the decoded first page"
        );
        assert!(pages.len() as u32 <= limits().max_pages, "page limit ignored");
    }
    let Ok(info) = probed else { return };
    // Padded caller buffer: one extra sample of padding per row, filled with a canary.
    let size = info.format.sample.size();
    let row = info.width as usize * info.format.bytes_per_pixel();
    let stride = row + size;
    let Some(total) = stride.checked_mul(info.height as usize) else {
        return;
    };
    if total as u64 > limits().max_alloc_bytes {
        return;
    }
    let mut buf = vec![0xA5u8; total];
    let Ok(out) = ImageMut::new(&mut buf, info.width, info.height, info.format, stride) else {
        return;
    };
    let into = reg.decode_into(data, out, &opts);
    for y in 0..info.height as usize {
        assert!(
            buf[y * stride + row..(y + 1) * stride].iter().all(|&b| b == 0xA5),
            "decode_into wrote into row padding (row {y})"
        );
    }
    // When both succeed, decode_into and decode must give the same pixels.
    if into.is_ok() {
        if let Ok(pages) = &pages {
            let img: &Image = &pages[0];
            for y in 0..info.height {
                let s = y as usize * stride;
                assert_eq!(&buf[s..s + row], img.row(y), "decode_into and decode differ at row {y}");
            }
        }
    }
}
