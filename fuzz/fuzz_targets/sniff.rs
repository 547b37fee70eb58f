//! Decodes arbitrary bytes through content sniffing (no codec forced), as `pixcodec::decode`
//! does for untrusted uploads.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pixcodec_fuzz::decode_everything(data, None);
});
