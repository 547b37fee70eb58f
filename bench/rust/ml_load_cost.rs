//! One file's work in an ML dataset, for counting instructions (bench/README.md, "ML loading
//! per image"): a 640x480 q90 JPEG (kodim23 resized) loaded COUNT times through
//! `ml::load_into` into a 224x224 RGB `F32` buffer with a dataset's defaults (bilinear without
//! antialias, fast IDCT), on a rayon pool thread as a dataset's loads are.
//!
//! ```sh
//! cargo bench --bench ml_load_cost --no-run   # prints the binary's path
//! valgrind --tool=callgrind BINARY CORPUS 20  # and again with 0; per image = difference / 20
//! ```

use pixcodec::ml::{self, Interpolation, LoadOptions, ResizeOptions};
use pixcodec::{DctMethod, EncodeOptions, ImageMut, Layout, Registry};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [corpus, count] = &args[..] else {
        eprintln!("usage: ml_load_cost CORPUS COUNT");
        std::process::exit(2);
    };
    let count: usize = count.parse().expect("COUNT is a number");
    let photo = pixcodec::read(std::path::Path::new(corpus).join("photos/kodim23.png")).expect("kodim23");
    let photo = ml::resize(&photo.as_ref(), 640, 480, &ResizeOptions::new()).expect("resize");
    let jpg = pixcodec::encode(photo.as_ref(), "jpeg", &EncodeOptions::new().quality(90))
        .expect("encode")
        .data;
    let opts = LoadOptions::new()
        .interpolation(Interpolation::Bilinear)
        .antialias(false)
        .dct_method(DctMethod::Fast)
        .target_size(224, 224);
    let mut out = vec![0f32; 224 * 224 * 3];
    // On a pool thread, as a dataset's loads run (so the JPEG is decoded in one piece, not in
    // bands: src/parallel.rs).
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    pool.install(|| {
        for _ in 0..count {
            let o = ImageMut::from_samples(&mut out, 224, 224, Layout::Rgb).expect("buffer");
            ml::load_into(Registry::global(), &jpg, o, &opts).expect("load");
        }
    });
    std::hint::black_box(&out);
}
