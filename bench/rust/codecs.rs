//! Criterion benchmarks of the hot paths (a developer's view; `make bench` writes the full
//! side-by-side report with `bench/rust/report.rs` and the Python peers).
//!
//! Run: `cargo bench --bench codecs`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pixcodec::{EncodeOptions, Image, PixelFormat};

fn photo(width: u32, height: u32) -> Image {
    let mut img = Image::new(
        width,
        height,
        PixelFormat::new(pixcodec::Layout::Rgb, pixcodec::SampleType::U8),
    )
    .expect("image");
    let (w, h) = (width as f32, height as f32);
    for y in 0..height {
        let row = img.row_mut(y);
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let (fx, fy) = (x as f32 / w, y as f32 / h);
            let n = ((x as u32).wrapping_mul(2654435761) ^ y.wrapping_mul(40503)) >> 28;
            px[0] = (255.0 * fx) as u8 ^ (n as u8);
            px[1] = (255.0 * fy) as u8;
            px[2] = (128.0 + 100.0 * (fx * 12.0).sin() * (fy * 9.0).cos()) as u8;
        }
    }
    img
}

fn bench(c: &mut Criterion) {
    let img = photo(1920, 1080);
    let mut group = c.benchmark_group("rgb8_1920x1080");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1920 * 1080));
    let cases = [
        ("png", EncodeOptions::new()),
        ("png", EncodeOptions::new().level(1)),
        ("jpeg", EncodeOptions::new().quality(90)),
        ("tiff", EncodeOptions::new().compression("lzw")),
        ("tiff", EncodeOptions::new().compression("deflate")),
    ];
    for (i, (fmt, opts)) in cases.iter().enumerate() {
        let mut buf = Vec::new();
        group.bench_with_input(BenchmarkId::new(format!("encode_{fmt}"), i), opts, |b, opts| {
            b.iter(|| pixcodec::encode_into(img.as_ref(), fmt, opts, &mut buf).expect("encode"))
        });
        let data = buf.clone();
        let mut out = Image::new(
            1920,
            1080,
            PixelFormat::new(pixcodec::Layout::Rgb, pixcodec::SampleType::U8),
        )
        .expect("image");
        group.bench_with_input(BenchmarkId::new(format!("decode_{fmt}"), i), &data, |b, data| {
            b.iter(|| pixcodec::decode_into(data, out.as_mut()).expect("decode"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
