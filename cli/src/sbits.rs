//! `convert` carries the input's significant bits (`ImageInfo::significant_bits`: 1-bit PNG,
//! 12-bit JPEG, packed TIFF) to the output codec's `significant_bits` option when that codec has
//! one and the command line did not set it, so a 12-bit source written as PNG carries sBIT 12.
//! What cannot be carried is said in a `note:` line; the pixels are written as they are.

use std::path::Path;

use pixcodec::{EncodeOptions, Registry};

use crate::text::wrap;

/// The significant bits one conversion carries, and why not when it does not.
pub struct Carry {
    bits: Option<u8>,
}

impl Carry {
    /// Decides for an input of `bits` significant bits written to `target` (the codec the
    /// options name, else the target's first codec); `converted` says that explicit
    /// conversions replaced the input's pixels (their bit depth is not the input's then).
    /// Prints a note when the bits are not carried.
    pub fn new(
        reg: &Registry,
        target: &str,
        opts: &EncodeOptions,
        bits: Option<u8>,
        converted: bool,
        input: &Path,
        output: &Path,
    ) -> Carry {
        let none = Carry { bits: None };
        let Some(n) = bits else { return none };
        if opts.params.iter().any(|(k, _)| k == "significant_bits") {
            return none;
        }
        let note = |why: String| {
            eprintln!(
                "{}",
                wrap(
                    &format!(
                        "note: {}: the input's samples are {n}-bit (significant bits {n} of {}); {why}",
                        output.display(),
                        input.display()
                    ),
                    "  "
                )
            )
        };
        if converted {
            note("the converted pixels are written at their type's full width".to_string());
            return none;
        }
        let codec = match &opts.codec {
            Some(c) => reg.by_name(c),
            None => reg.resolve(target).ok().and_then(|v| v.into_iter().next()),
        };
        let Some(codec) = codec else { return none };
        if codec.encode_options().iter().any(|o| o.name == "significant_bits") {
            return Carry { bits: Some(n) };
        }
        note(format!(
            "{} stores no significant bits, so the values 0..={} are written as they are \
             (to spread them over the type's range: --scale 0:{})",
            codec.descriptor().name,
            (1u64 << n) - 1,
            (1u64 << n) - 1
        ));
        none
    }

    /// Runs `encode` with the carried `significant_bits` option; when the codec refuses that
    /// option for these pixels (a width it cannot store for the type, a value that does not
    /// fit), notes why and runs it again without.
    pub fn encode<T>(
        &self,
        opts: &EncodeOptions,
        output: &Path,
        mut encode: impl FnMut(&EncodeOptions) -> pixcodec::Result<T>,
    ) -> pixcodec::Result<T> {
        let Some(n) = self.bits else { return encode(opts) };
        match encode(&opts.clone().set("significant_bits", i64::from(n))) {
            Err(e)
                if e.kind() == pixcodec::ErrorKind::InvalidArgument && e.to_string().contains("'significant_bits'") =>
            {
                eprintln!(
                    "{}",
                    wrap(
                        &format!(
                            "note: {}: significant bits {n} of the input not kept ({e}); written at the type's full width",
                            output.display()
                        ),
                        "  "
                    )
                );
                encode(opts)
            }
            r => r,
        }
    }
}
