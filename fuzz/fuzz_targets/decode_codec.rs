//! Decodes with the codec chosen by the first byte among `Registry::with_builtins()`
//! (so codecs added later, such as the image-rs fallbacks, are fuzzed without a new target).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let codecs = pixcodec_fuzz::registry().codecs();
    let codec = &codecs[pick as usize % codecs.len()];
    pixcodec_fuzz::decode_everything(rest, Some(&codec.descriptor().name));
});
