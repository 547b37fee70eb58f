//! TEST-ONLY: a Rust codec that panics, to show that a panic inside a codec comes back
//! to C as `PXC_STATUS_PANIC` and the process goes on. Compiled into the C library only
//! with the cargo feature `testing` (`make test-c` enables it; installed builds do not).

use std::io::Write;

use pixcodec::{
    Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, ImageInfo, ImageMut, ImageRef, Layout, Limits,
    ResolvedOptions, Result, SampleType, Source,
};

/// Content that the panicking codec claims (its signature).
pub(crate) const PANIC_MAGIC: &[u8] = b"PXCPANIC";

/// A codec named `testing-panic` (extension `panic`, signature `PXCPANIC`) whose decoder
/// and encoder panic.
pub struct PanickingCodec {
    descriptor: CodecDescriptor,
    caps: Capabilities,
}

impl Default for PanickingCodec {
    fn default() -> Self {
        PanickingCodec {
            descriptor: CodecDescriptor::new(
                "testing-panic",
                "panic",
                "test-only codec that panics",
                &["panic"],
                &["application/x-pixcodec-panic"],
                &[PANIC_MAGIC],
                0,
            ),
            caps: Capabilities {
                decode: Capabilities::grid(&[Layout::Gray], &[SampleType::U8], Fidelity::Exact),
                encode: Capabilities::grid(&[Layout::Gray], &[SampleType::U8], Fidelity::Exact),
                multi_page_encode: false,
                multi_page_decode: false,
            },
        }
    }
}

struct PanickingDecoder;

impl Decoder for PanickingDecoder {
    fn info(&self) -> &ImageInfo {
        panic!("testing-panic codec: deliberate panic in Decoder::info")
    }
    fn decode_into(&mut self, _out: ImageMut<'_>) -> Result<()> {
        panic!("testing-panic codec: deliberate panic in Decoder::decode_into")
    }
}

struct PanickingEncoder;

impl Encoder for PanickingEncoder {
    fn encode(
        &mut self,
        _pages: &[ImageRef<'_>],
        _o: &ResolvedOptions,
        _out: &mut dyn Write,
    ) -> Result<Option<std::sync::Arc<str>>> {
        panic!("testing-panic codec: deliberate panic in Encoder::encode")
    }
}

impl Codec for PanickingCodec {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.descriptor
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    fn decoder<'a>(&self, _source: Source<'a>, _limits: &Limits) -> Result<Box<dyn Decoder + 'a>> {
        Ok(Box::new(PanickingDecoder))
    }
    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        Ok(Box::new(PanickingEncoder))
    }
}

/// TEST-ONLY (cargo feature `testing`, `PXC_TESTING` in C): registers the codec
/// `testing-panic` into `reg` (NULL: default registry). Decoding data that starts with
/// `PXCPANIC`, or encoding Gray U8 with target `panic`, panics inside Rust; the call
/// returns `PXC_STATUS_PANIC`.
#[cfg(feature = "testing")]
#[no_mangle]
pub unsafe extern "C" fn pxc_testing_register_panicking_codec(
    reg: *mut crate::registry::pxc_registry,
) -> crate::boundary::pxc_status {
    crate::boundary::ffi!(nonnull() {
        unsafe { crate::registry::registry(reg) }.register(std::sync::Arc::new(PanickingCodec::default()))?;
        Ok(())
    })
}
