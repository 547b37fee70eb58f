//! Decodes arbitrary bytes with the `pnm-image-rs` fallback codec forced (no sniffing), every way a user can.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if pixcodec_fuzz::registry().by_name("pnm-image-rs").is_some() {
        pixcodec_fuzz::decode_everything(data, Some("pnm-image-rs"));
    }
});
