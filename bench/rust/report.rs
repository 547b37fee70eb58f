//! The Rust side of `make bench`: times pixcodec (Rust API) and the raw backend crates on the
//! cases listed by `bench/prepare.py`, and writes one JSON row per (case, tool).
//!
//! `cargo bench --bench report -- MANIFEST OUT.json` runs the cases;
//! `cargo bench --bench report -- --peak-rss FILE.jpg` prints the peak memory of one decode
//! (run in a fresh process so the high-water mark belongs to that decode alone).
//!
//! Timing: one warm-up call, then repeated calls until `BENCH_BUDGET` seconds (default 1.0)
//! have passed, at least 3 and at most 200; the median is reported. The Python peers
//! (`bench/peers.py`) and the C ABI driver (`bench/c_abi_bench.c`) use the same rule.

use std::hint::black_box;

use pixcodec::{EncodeOptions, Image, ImageRef, Layout, Metadata, SampleType};
use serde_json::{json, Value};

mod common;
use common::time;

fn opts_of(case: &Value) -> EncodeOptions {
    let mut o = EncodeOptions::new();
    if let Some(map) = case["opts"].as_object() {
        for (k, v) in map {
            o = match v {
                Value::Bool(b) => o.set(k, *b),
                Value::Number(n) => o.set(k, n.as_i64().expect("int option")),
                Value::String(s) => o.set(k, s.as_str()),
                _ => o,
            };
        }
    }
    o
}

/// The metadata of a typical camera file, for the `pixcodec-metadata` rows (issue 16: writing
/// metadata costs under 1 %): the testkit's items (EXIF with an orientation, XMP, resolution,
/// two text entries) with an ICC profile the size of sRGB's (3144 bytes), no animation timing.
/// An item the format cannot hold is reported, as any caller's would be; that is part of the cost.
fn photo_metadata() -> Metadata {
    let mut m = pixcodec::testkit::sample_metadata();
    let mut icc: Vec<u8> = (0..3144u32).map(|i| (i * 7 % 251) as u8).collect();
    icc[..4].copy_from_slice(&3144u32.to_be_bytes());
    icc[36..40].copy_from_slice(b"acsp");
    m.icc_profile = Some(icc);
    m.frame = None;
    m.loop_count = None;
    m
}

/// Raw `turbojpeg` crate: decompress into a reused buffer / compress with a reused compressor.
fn raw_jpeg(op: &str, case: &Value, img: &Image, file: &[u8]) -> Option<(f64, u64)> {
    if op == "decode" {
        let mut d = turbojpeg::Decompressor::new().ok()?;
        let h = d.read_header(file).ok()?;
        let mut buf = vec![0u8; h.width * h.height * 3];
        let s = time(|| {
            let out = turbojpeg::Image {
                pixels: &mut buf[..],
                width: h.width,
                pitch: h.width * 3,
                height: h.height,
                format: turbojpeg::PixelFormat::RGB,
            };
            d.decompress(file, out).expect("turbojpeg decompress");
        });
        Some((s, 0))
    } else {
        let mut c = turbojpeg::Compressor::new().ok()?;
        c.set_quality(case["opts"]["quality"].as_i64()? as i32).ok()?;
        c.set_subsamp(turbojpeg::Subsamp::Sub2x2).ok()?;
        let mut out = turbojpeg::OutputBuf::new_owned();
        let input = turbojpeg::Image {
            pixels: img.as_bytes(),
            width: img.width() as usize,
            pitch: img.row_bytes(),
            height: img.height() as usize,
            format: turbojpeg::PixelFormat::RGB,
        };
        let s = time(|| c.compress(input, &mut out).expect("turbojpeg compress"));
        Some((s, out.len() as u64))
    }
}

/// Raw `png` crate: decode into a reused buffer / encode at the case's level and filter.
fn raw_png(op: &str, case: &Value, img: &Image, file: &[u8]) -> Option<(f64, u64)> {
    if op == "decode" {
        let mut buf = vec![0u8; img.as_bytes().len()];
        let s = time(|| {
            let mut r = png::Decoder::new(std::io::Cursor::new(file))
                .read_info()
                .expect("png header");
            r.next_frame(&mut buf).expect("png decode");
        });
        Some((s, 0))
    } else {
        let level = case["opts"]["level"].as_i64()? as u8;
        let filter = match case["opts"]["filter"].as_str()? {
            "up" => png::Filter::Up,
            "sub" => png::Filter::Sub,
            _ => png::Filter::Adaptive,
        };
        let mut out = Vec::new();
        let s = time(|| {
            out.clear();
            let mut e = png::Encoder::new(&mut out, img.width(), img.height());
            e.set_color(png::ColorType::Rgb);
            e.set_depth(png::BitDepth::Eight);
            e.set_deflate_compression(png::DeflateCompression::Level(level));
            e.set_filter(filter);
            let mut w = e.write_header().expect("png header");
            w.write_image_data(img.as_bytes()).expect("png encode");
            w.finish().expect("png finish");
        });
        Some((s, out.len() as u64))
    }
}

/// Raw `tiff` crate: `read_image_bytes` into a reused buffer / `write_image` with the case's
/// compression and predictor (single-threaded, as the crate is).
fn raw_tiff(op: &str, case: &Value, img: &Image, file: &[u8]) -> Option<(f64, u64)> {
    use tiff::encoder::{colortype as ct, compression as cmp, Compression as TC, Predictor, TiffEncoder};
    if case["opts"]["significant_bits"].is_i64() || case["variant"] == "packed12" {
        // The crate neither reads nor writes packed 12-bit samples.
        return None;
    }
    if op == "decode" {
        let mut buf = vec![0u8; img.as_bytes().len()];
        let s = time(|| {
            let mut d = tiff::decoder::Decoder::new(std::io::Cursor::new(file)).expect("tiff header");
            d.read_image_bytes(&mut buf).expect("tiff decode");
        });
        return Some((s, 0));
    }
    let o = &case["opts"];
    let predictor = o["predictor"].as_bool().unwrap_or(false);
    let compression = o["compression"].as_str()?.to_string();
    let (w, h) = (img.width(), img.height());
    let mut out = std::io::Cursor::new(Vec::new());
    macro_rules! write {
        ($c:ty, $t:ty) => {{
            let data: &[$t] = bytemuck::cast_slice(img.as_bytes());
            time(|| {
                out.get_mut().clear();
                out.set_position(0);
                let mut e = TiffEncoder::new(&mut out).expect("tiff encoder");
                if predictor {
                    e = e.with_predictor(Predictor::Horizontal);
                }
                match compression.as_str() {
                    "lzw" => e = e.with_compression(TC::Lzw),
                    "deflate" => e = e.with_compression(TC::Deflate(cmp::DeflateLevel::Balanced)),
                    _ => {}
                }
                e.write_image::<$c>(w, h, data).expect("tiff encode");
            })
        }};
    }
    let f = img.format();
    let s = match (f.layout, f.sample) {
        (Layout::Rgb, SampleType::U8) => write!(ct::RGB8, u8),
        (Layout::Gray, SampleType::U16) => write!(ct::Gray16, u16),
        (Layout::Gray, SampleType::U32) => write!(ct::Gray32, u32),
        (Layout::Gray, SampleType::F32) => write!(ct::Gray32Float, f32),
        _ => return None,
    };
    Some((s, out.get_ref().len() as u64))
}

fn peak_rss(path: &str) {
    fn status(key: &str) -> u64 {
        let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        s.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    }
    let data = std::fs::read(path).expect("read jpeg");
    let info = pixcodec::probe(&data).expect("probe");
    let baseline = status("VmRSS:");
    let img = pixcodec::decode(&data).expect("decode");
    let peak = status("VmHWM:");
    let size = img.as_bytes().len() as u64;
    black_box(&img);
    println!(
        "{}",
        json!({"file": path, "width": info.width, "height": info.height, "baseline_rss": baseline,
               "peak_rss": peak, "decoded_bytes": size,
               "ratio": (peak.saturating_sub(baseline)) as f64 / size as f64})
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.first().map(String::as_str) == Some("--peak-rss") {
        return peak_rss(&args[1]);
    }
    let (Some(manifest), Some(out_path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: report MANIFEST OUT.json | --peak-rss FILE (run by `make bench`)");
        return;
    };
    let only = std::env::var("BENCH_ONLY").ok();
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(manifest).expect("manifest")).expect("json");
    let threads = rayon::current_num_threads();
    // Every driver process allocates in the same order, so without this the heap addresses
    // (and the relative page offsets of libjpeg's work buffers, the file bytes and the output,
    // which move a row's speed by up to 25% on the bench machine) would be identical in every
    // round: the rounds would sample one layout, not several. A time-seeded heap pad of
    // 0..64 KiB makes each round's layout different, as the peers' interpreter already does.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let _pad = black_box(vec![0u8; 16 * (nanos as usize % 4096)]);
    let mut rows = Vec::new();
    let mut images = std::collections::HashMap::new();
    for case in manifest["cases"].as_array().expect("cases") {
        let (format, op, name, variant) = (
            case["format"].as_str().unwrap(),
            case["op"].as_str().unwrap(),
            case["image"].as_str().unwrap(),
            case["variant"].as_str().unwrap(),
        );
        if only.as_deref().is_some_and(|o| !format.contains(o)) {
            continue;
        }
        let img: &Image = images.entry(name.to_string()).or_insert_with(|| {
            pixcodec::read(manifest["images"][name]["npy"].as_str().unwrap()).expect("read npy input")
        });
        let mpix = f64::from(img.width()) * f64::from(img.height()) / 1e6;
        let file = case["file"].as_str().map(|p| std::fs::read(p).expect("reference file"));
        let mut push = |tool: &str, secs: f64, bytes: u64| {
            eprintln!(
                "{format:5} {op:6} {name:22} {variant:13} {tool:18} {:8.1} MP/s",
                mpix / secs
            );
            rows.push(
                json!({"format": format, "op": op, "image": name, "variant": variant, "tool": tool,
                             "lang": "rust", "threads": threads, "seconds": secs, "mpix_s": mpix / secs,
                             "bytes": bytes, "mpix": mpix}),
            );
        };
        // pixcodec through the Rust API, into reused buffers.
        if op == "decode" {
            let data = file.as_deref().unwrap();
            let mut out = Image::new(img.width(), img.height(), img.format()).expect("image");
            let s = time(|| {
                pixcodec::decode_into(data, out.as_mut()).expect("pixcodec decode");
            });
            let back = pixcodec::decode(data).expect("decode");
            if format != "jpeg" || variant.starts_with("lossless") {
                assert!(
                    back.as_ref().pixels_eq(&img.as_ref()),
                    "{name} {variant}: decode differs from the input"
                );
            }
            push("pixcodec", s, 0);
        } else {
            let opts = opts_of(case);
            let target = format;
            let mut buf = Vec::new();
            let image: ImageRef<'_> = img.as_ref();
            let s = time(|| {
                pixcodec::encode_into(image, target, &opts, &mut buf).expect("pixcodec encode");
            });
            if format != "jpeg" || variant.starts_with("lossless") {
                let back = pixcodec::decode(&buf).expect("decode own output");
                assert!(back.as_ref().pixels_eq(&image), "{name} {variant}: round trip differs");
            }
            push("pixcodec", s, buf.len() as u64);
            // The same encode carrying a camera file's metadata, timed right after the plain one.
            let with_meta = opts.clone().metadata(photo_metadata());
            let sm = time(|| {
                pixcodec::encode_into(image, target, &with_meta, &mut buf).expect("pixcodec encode with metadata");
            });
            push("pixcodec-metadata", sm, buf.len() as u64);
            if format == "tiff" {
                // The same encode on one thread: what the parallel strip coding buys.
                let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
                let s1 = pool.install(|| {
                    time(|| {
                        pixcodec::encode_into(image, target, &opts, &mut buf).expect("pixcodec encode");
                    })
                });
                push("pixcodec-1thread", s1, buf.len() as u64);
            }
        }
        if format == "tiff" && op == "decode" {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
            let data = file.as_deref().unwrap();
            let mut out = Image::new(img.width(), img.height(), img.format()).expect("image");
            let s1 = pool.install(|| {
                time(|| {
                    pixcodec::decode_into(data, out.as_mut()).expect("pixcodec decode");
                })
            });
            push("pixcodec-1thread", s1, 0);
        }
        let file_bytes = file.as_deref().unwrap_or(&[]);
        let raw = match format {
            // The turbojpeg crate's safe API has no lossless JPEG: no raw row for those cases.
            "jpeg" if variant.starts_with("lossless") => None,
            "jpeg" => raw_jpeg(op, case, img, file_bytes).map(|r| ("turbojpeg-crate", r)),
            "png" => raw_png(op, case, img, file_bytes).map(|r| ("png-crate", r)),
            "tiff" => raw_tiff(op, case, img, file_bytes).map(|r| ("tiff-crate", r)),
            _ => None,
        };
        if let Some((tool, (s, bytes))) = raw {
            push(tool, s, bytes);
        }
        if format == "tiff" && op == "decode" && variant == "none" {
            // memcpy bandwidth on the same number of bytes, into a reused buffer placed at the
            // same offset modulo 4096 as the source: glibc's memcpy at its best (it runs up to
            // 8x slower at other relative offsets, see src/memcopy.rs), so the reference is
            // the machine's copy bandwidth, not the luck of an allocation.
            let src = img.as_bytes();
            let mut store = vec![0u8; src.len() + 4096];
            let at = (src.as_ptr() as usize).wrapping_sub(store.as_ptr() as usize) % 4096;
            let dst = &mut store[at..at + src.len()];
            let s = time(|| {
                dst.copy_from_slice(black_box(src));
                black_box(&dst);
            });
            push("memcpy", s, 0);
        }
    }
    std::fs::write(out_path, serde_json::to_string_pretty(&Value::Array(rows)).unwrap()).expect("write rows");
}
