//! Decodes arbitrary bytes with the `bmp-image-rs` fallback codec forced (no sniffing), every way a user can.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if pixcodec_fuzz::registry().by_name("bmp-image-rs").is_some() {
        pixcodec_fuzz::decode_everything(data, Some("bmp-image-rs"));
    }
});
