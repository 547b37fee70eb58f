//! The regression corpus: inputs under `tests/regression/<format>/` that once crashed,
//! hung, over-allocated or decoded wrongly. Each is decoded every way (sniffed, every
//! codec forced, probe, all pages) in a worker thread with a time bound; none may panic.
//! A file named `err-*` must be refused by content sniffing, `ok-*` must decode; specific
//! pixel checks follow for the files whose bug was a wrong result.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pixcodec::{DecodeOptions, Limits, Registry};

const BOUND: Duration = Duration::from_secs(10);

fn regression_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regression")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.extension().is_none_or(|e| e != "md") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_alloc_bytes = 256 << 20;
    l.max_pages = 1000;
    l
}

#[test]
fn every_regression_input_decodes_or_fails_cleanly_in_time() {
    let all = files(&regression_dir());
    assert!(!all.is_empty(), "tests/regression is empty");
    for path in all {
        let label = path.strip_prefix(regression_dir()).unwrap().display().to_string();
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (tx, rx) = std::sync::mpsc::channel();
        let l2 = label.clone();
        std::thread::spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| {
                let reg = Registry::with_builtins();
                let opts = DecodeOptions::new().limits(limits());
                let sniffed = reg.decode_pages(&data, &opts).map(|p| p.len());
                let _ = reg.probe(&data, &opts);
                let _ = reg.decode_volume(&data, &opts);
                for c in reg.codecs() {
                    let o = DecodeOptions::new().limits(limits()).codec(&c.descriptor().name);
                    let _ = reg.decode_pages(&data, &o);
                }
                sniffed.map_err(|e| e.to_string())
            }));
            let _ = tx.send(r.map_err(|_| format!("{l2}: panicked")));
        });
        let t = Instant::now();
        let r = rx
            .recv_timeout(BOUND)
            .unwrap_or_else(|_| panic!("{label}: not decoded within {BOUND:?} (hang)"));
        let sniffed = r.unwrap_or_else(|m| panic!("{m}"));
        eprintln!("{label}: {:?} in {:?}", sniffed, t.elapsed());
        if name.starts_with("err-") {
            assert!(sniffed.is_err(), "{label} must be refused");
        }
        if name.starts_with("ok-") {
            assert!(sniffed.is_ok(), "{label} must decode: {sniffed:?}");
        }
    }
}

#[test]
fn npy_fortran_order_single_page_stack_decodes_the_right_pixels() {
    // (1, 3, 5) in Fortran order was read as (H=1, W=3, C=5)-style strides: wrong pixels.
    let data = std::fs::read(regression_dir().join("npy/ok-fortran-1x3x5-u1.npy")).unwrap();
    let img = pixcodec::decode(&data).unwrap();
    assert_eq!((img.width(), img.height()), (5, 3));
    let want: Vec<u8> = (0..3).flat_map(|y| (0..5).map(move |x| 10 * y + x)).collect();
    assert_eq!(img.to_vec::<u8>().unwrap(), want);
}

#[test]
fn tiff_decodes_the_same_into_any_stride() {
    // A Deflate F16 page whose stream the strips decoder reads and the tiff crate calls
    // corrupt: decoding into a padded caller buffer went through the crate and failed while
    // the contiguous decode succeeded (found by the decode_ffi fuzz target). Every stride
    // now reads the strips the same way.
    let data = std::fs::read(regression_dir().join("tiff/ok-deflate-f16-strided.tif")).unwrap();
    let img = pixcodec::decode(&data).unwrap();
    let info = pixcodec::probe(&data).unwrap();
    let row = info.width as usize * info.format.bytes_per_pixel();
    for pad in [2usize, 8, 64] {
        let stride = row + pad;
        let mut buf = vec![0x5Au8; stride * (info.height as usize - 1) + row];
        let out = pixcodec::ImageMut::new(&mut buf, info.width, info.height, info.format, stride).unwrap();
        pixcodec::decode_into(&data, out).unwrap();
        for y in 0..info.height as usize {
            assert_eq!(
                &buf[y * stride..y * stride + row],
                img.row(y as u32),
                "row {y}, padding {pad}"
            );
            if y + 1 < info.height as usize {
                assert!(buf[y * stride + row..(y + 1) * stride].iter().all(|&b| b == 0x5A));
            }
        }
    }
}
