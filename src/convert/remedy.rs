//! What a caller can do about a refusal, named where the caller is: the Rust function in
//! Rust, the C function in the C ABI, the command-line flag in the CLI.
//!
//! The library writes its messages once, with the Rust names ([`Remedy::text`] with
//! [`Surface::Rust`]); the C ABI and the CLI show them through [`for_surface`] (or
//! [`Error::message_for`](crate::error::Error::message_for)), which replaces every Rust name
//! of the table below by the surface's own:
//!
//! | [`Remedy`] | Rust | C | CLI |
//! |---|---|---|---|
//! | `Cast(U8)` | `convert::cast(img, SampleType::U8)` | `pxc_convert_cast(view, PXC_SAMPLE_U8, &out)` | `--cast u8` |
//! | `Narrow` | `convert::narrow(img)` | `pxc_convert_narrow(view, &out)` | `--narrow` |
//! | `Scale(U8)` | `convert::scale(img, SampleType::U8, Scale::MinMax)` | `pxc_convert_scale_minmax(view, PXC_SAMPLE_U8, &out)` | `--scale minmax --cast u8` |
//! | `ToLayout(Rgb)` | `convert::to_layout(img, Layout::Rgb)` | `pxc_convert_layout(view, PXC_LAYOUT_RGB, &out)` | `--to rgb` |
//! | `Clip` | `Scale::clip()` | `clip = true (pxc_convert_scale_range)` | `--scale LO:HI,clip` |
//! | `OverwriteReadonly` | `EncodeOptions::overwrite_readonly(true)` | `pxc_encode_options_set_overwrite_readonly(opts, true)` | `--force` |
//! | `ReplaceSymlink` | `EncodeOptions::replace_symlink(true)` | `pxc_encode_options_set_replace_symlink(opts, true)` | `--replace-symlink` |
//! | `RequireExact` | `EncodeOptions::require_exact(true)` | `pxc_encode_options_set_require_exact(opts, true)` | `--require-exact` |
//! | `Invert` | `convert::apply_invert(img, &mut metadata, significant_bits)` | `pxc_convert_invert(view, significant_bits, metadata, &out)` | `--invert` |
//! | `MetadataPolicy(Keep)` | `EncodeOptions::metadata_policy(MetadataPolicy::Keep)` | `pxc_encode_options_set_metadata_policy(opts, PXC_METADATA_POLICY_KEEP)` | `--metadata keep` |
//!
//! [`fix_for`] chooses the conversion that makes a pixel format fit a codec's capability
//! table, preferring exact steps (adding alpha, gray to colour, widening) over ones that
//! drop or check data.

use crate::format::{Layout, PixelFormat};
use crate::metadata::MetadataPolicy;
use crate::sample::SampleType;

/// The caller's side of the library: decides the names used in advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Surface {
    /// The Rust API: `convert::cast`, `EncodeOptions::…`.
    Rust,
    /// The C ABI: `pxc_convert_cast`, `pxc_encode_options_set_…`.
    C,
    /// The `pixcodec` command line: `--cast`, `--force`, ….
    Cli,
}

/// One thing a caller can do about a refusal, with its name on every [`Surface`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Remedy {
    /// Value-preserving change of sample type, failing on the first value that does not fit.
    Cast(SampleType),
    /// Data-aware narrowing to the smallest type of the same kind holding every value.
    Narrow,
    /// Deliberate min-max rescaling into a sample type.
    Scale(SampleType),
    /// A channel-layout conversion (alpha added or dropped, gray to colour, luma).
    ToLayout(Layout),
    /// Clamp inputs outside a fixed scaling range instead of failing.
    Clip,
    /// Replace a destination the caller may not write.
    OverwriteReadonly,
    /// Replace a symlink at the destination instead of writing through it.
    ReplaceSymlink,
    /// Fail unless the output is bit-exact.
    RequireExact,
    /// Treat the metadata given to an encode this way (keep what fits, strict, strip).
    MetadataPolicy(MetadataPolicy),
    /// Store the picture in the other photometric convention (samples `max - v`, the
    /// metadata's convention flipped).
    Invert,
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

fn c_const(s: &str) -> String {
    s.to_ascii_uppercase()
}

impl Remedy {
    /// The remedy as the caller on `surface` would write it.
    pub fn text(&self, surface: Surface) -> String {
        use Surface::*;
        match (*self, surface) {
            (Remedy::Cast(t), Rust) => format!("convert::cast(img, SampleType::{t})"),
            (Remedy::Cast(t), C) => format!("pxc_convert_cast(view, PXC_SAMPLE_{}, &out)", c_const(t.name())),
            (Remedy::Cast(t), Cli) => format!("--cast {}", lower(t.name())),
            (Remedy::Narrow, Rust) => "convert::narrow(img)".into(),
            (Remedy::Narrow, C) => "pxc_convert_narrow(view, &out)".into(),
            (Remedy::Narrow, Cli) => "--narrow".into(),
            (Remedy::Scale(t), Rust) => format!("convert::scale(img, SampleType::{t}, Scale::MinMax)"),
            (Remedy::Scale(t), C) => {
                format!("pxc_convert_scale_minmax(view, PXC_SAMPLE_{}, &out)", c_const(t.name()))
            }
            (Remedy::Scale(t), Cli) => format!("--scale minmax --cast {}", lower(t.name())),
            (Remedy::ToLayout(l), Rust) => format!("convert::to_layout(img, Layout::{l})"),
            (Remedy::ToLayout(l), C) => format!("pxc_convert_layout(view, PXC_LAYOUT_{}, &out)", layout_const(l)),
            (Remedy::ToLayout(l), Cli) => format!("--to {}", layout_flag(l)),
            (Remedy::Clip, Rust) => "Scale::clip()".into(),
            (Remedy::Clip, C) => "clip = true (pxc_convert_scale_range)".into(),
            (Remedy::Clip, Cli) => "--scale LO:HI,clip".into(),
            (Remedy::OverwriteReadonly, Rust) => "EncodeOptions::overwrite_readonly(true)".into(),
            (Remedy::OverwriteReadonly, C) => "pxc_encode_options_set_overwrite_readonly(opts, true)".into(),
            (Remedy::OverwriteReadonly, Cli) => "--force".into(),
            (Remedy::ReplaceSymlink, Rust) => "EncodeOptions::replace_symlink(true)".into(),
            (Remedy::ReplaceSymlink, C) => "pxc_encode_options_set_replace_symlink(opts, true)".into(),
            (Remedy::ReplaceSymlink, Cli) => "--replace-symlink".into(),
            (Remedy::RequireExact, Rust) => "EncodeOptions::require_exact(true)".into(),
            (Remedy::RequireExact, C) => "pxc_encode_options_set_require_exact(opts, true)".into(),
            (Remedy::RequireExact, Cli) => "--require-exact".into(),
            (Remedy::MetadataPolicy(p), Rust) => format!("EncodeOptions::metadata_policy(MetadataPolicy::{p:?})"),
            (Remedy::MetadataPolicy(p), C) => format!(
                "pxc_encode_options_set_metadata_policy(opts, PXC_METADATA_POLICY_{})",
                c_const(&format!("{p:?}"))
            ),
            (Remedy::MetadataPolicy(p), Cli) => format!("--metadata {}", lower(&format!("{p:?}"))),
            (Remedy::Invert, Rust) => "convert::apply_invert(img, &mut metadata, significant_bits)".into(),
            (Remedy::Invert, C) => "pxc_convert_invert(view, significant_bits, metadata, &out)".into(),
            (Remedy::Invert, Cli) => "--invert".into(),
        }
    }

    /// Every remedy, for rewriting messages.
    fn all() -> impl Iterator<Item = Remedy> {
        let types = SampleType::ALL.into_iter();
        types
            .clone()
            .map(Remedy::Cast)
            .chain(types.map(Remedy::Scale))
            .chain(Layout::ALL.into_iter().map(Remedy::ToLayout))
            .chain([
                Remedy::Narrow,
                Remedy::Clip,
                Remedy::OverwriteReadonly,
                Remedy::ReplaceSymlink,
                Remedy::RequireExact,
                Remedy::Invert,
            ])
            .chain([MetadataPolicy::Keep, MetadataPolicy::Strict, MetadataPolicy::Strip].map(Remedy::MetadataPolicy))
    }
}

fn layout_const(l: Layout) -> &'static str {
    match l {
        Layout::Gray => "GRAY",
        Layout::GrayAlpha => "GRAY_ALPHA",
        Layout::Rgb => "RGB",
        Layout::Rgba => "RGBA",
        Layout::Cmyk => "CMYK",
    }
}

/// The value of the CLI's `--to` for a layout.
pub fn layout_flag(l: Layout) -> &'static str {
    match l {
        Layout::Gray => "gray",
        Layout::GrayAlpha => "gray-alpha",
        Layout::Rgb => "rgb",
        Layout::Rgba => "rgba",
        Layout::Cmyk => "cmyk",
    }
}

/// `message` (written with the Rust names) with every [`Remedy`] named as on `surface`.
pub fn for_surface(message: &str, surface: Surface) -> String {
    if surface == Surface::Rust {
        return message.to_string();
    }
    let mut out = message.to_string();
    for r in Remedy::all() {
        let rust = r.text(Surface::Rust);
        if out.contains(&rust) {
            out = out.replace(&rust, &r.text(surface));
        }
    }
    out
}

/// An explicit conversion that makes a pixel format fit: a layout change, then a sample-type
/// change (either may be absent). Made by [`fix_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fix {
    /// The format the data has.
    pub from: PixelFormat,
    /// The format the conversion produces (one the codec holds).
    pub to: PixelFormat,
}

/// True when every value of `from` is exactly a value of `to`.
pub fn always_fits(from: SampleType, to: SampleType) -> bool {
    if from == to {
        return true;
    }
    if from.is_float() {
        return to.is_float() && to.size() >= from.size();
    }
    let (flo, fhi) = from.range();
    if to.is_float() {
        // Integers up to the significand's width are exact.
        let significand = match to.size() {
            2 => 11,
            4 => 24,
            _ => 53,
        };
        let bits = if from.is_signed_int() {
            from.bits() - 1
        } else {
            from.bits()
        };
        return bits <= significand;
    }
    let (tlo, thi) = to.range();
    tlo <= flo && fhi <= thi
}

/// What a layout change does: 0 nothing, 1 exact (alpha added, gray replicated), 2 drops the
/// alpha channel, 4 lossy (colour to luma); `None` when impossible (Cmyk).
fn layout_cost(from: Layout, to: Layout) -> Option<u32> {
    if from == to {
        return Some(0);
    }
    if from == Layout::Cmyk || to == Layout::Cmyk {
        return None;
    }
    let colour = |l: Layout| matches!(l, Layout::Rgb | Layout::Rgba);
    let mut cost = 1;
    if from.has_alpha() && !to.has_alpha() {
        cost += 1;
    }
    if colour(from) && !colour(to) {
        cost += 3;
    }
    Some(cost)
}

/// What a type change does: 0 nothing, then types that always fit (smaller first), then
/// checked ones of the same kind, then across kinds (each the closest size first).
fn sample_cost(from: SampleType, to: SampleType) -> u32 {
    let distance = from.size().abs_diff(to.size()) as u32;
    if from == to {
        0
    } else if always_fits(from, to) {
        10 + to.size() as u32
    } else if from.is_float() != to.is_float() {
        60 + distance
    } else {
        40 + distance
    }
}

/// The explicit conversion that brings `from` to one of `holds` (a codec's encodable
/// formats) most gently, or `None` when none applies.
pub fn fix_for(from: PixelFormat, holds: &[PixelFormat]) -> Option<Fix> {
    holds
        .iter()
        .filter(|h| **h != from)
        .filter_map(|&h| {
            let l = layout_cost(from.layout, h.layout)?;
            Some((l * 100 + sample_cost(from.sample, h.sample), h))
        })
        .min_by_key(|(cost, _)| *cost)
        .map(|(_, to)| Fix { from, to })
}

impl Fix {
    /// The advice as a clause naming the [`Surface::Rust`] functions, e.g.
    /// `convert::to_layout(img, Layout::Rgb) (drops alpha), then convert::cast(img, SampleType::U8)
    /// (fails naming the first value that does not fit) or convert::scale(…) (rescales on purpose)`.
    /// Show it elsewhere through [`for_surface`].
    pub fn advice(&self) -> String {
        let mut steps = Vec::new();
        if self.from.layout != self.to.layout {
            let what = match layout_cost(self.from.layout, self.to.layout) {
                Some(1) if self.to.layout.has_alpha() && !self.from.layout.has_alpha() => "adds opaque alpha",
                Some(1) => "replicates gray, exact",
                Some(2) => "drops alpha",
                _ => "luma, lossy",
            };
            steps.push(format!(
                "{} ({what})",
                Remedy::ToLayout(self.to.layout).text(Surface::Rust)
            ));
        }
        let (f, t) = (self.from.sample, self.to.sample);
        if f != t {
            if always_fits(f, t) {
                steps.push(format!("{} (every value fits)", Remedy::Cast(t).text(Surface::Rust)));
            } else {
                steps.push(format!(
                    "{} (fails naming the first value that does not fit) or {} (rescales on purpose)",
                    Remedy::Cast(t).text(Surface::Rust),
                    Remedy::Scale(t).text(Surface::Rust)
                ));
            }
        }
        steps.join(", then ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Layout::*;
    use SampleType::*;

    fn pf(l: Layout, s: SampleType) -> PixelFormat {
        PixelFormat::new(l, s)
    }

    #[test]
    fn fixes_prefer_exact_steps() {
        let jpeg = [pf(Gray, U8), pf(Rgb, U8), pf(Cmyk, U8)];
        assert_eq!(fix_for(pf(Rgba, U8), &jpeg).unwrap().to, pf(Rgb, U8));
        assert_eq!(fix_for(pf(Gray, U16), &jpeg).unwrap().to, pf(Gray, U8));
        let gif = [pf(Rgba, U8)];
        assert_eq!(fix_for(pf(Rgb, U8), &gif).unwrap().to, pf(Rgba, U8));
        let png = [pf(Gray, U8), pf(Gray, U16), pf(Rgb, U8), pf(Rgb, U16)];
        assert_eq!(fix_for(pf(Gray, U32), &png).unwrap().to, pf(Gray, U16));
        assert_eq!(fix_for(pf(Gray, I8), &png).unwrap().to, pf(Gray, U8));
        assert!(fix_for(pf(Cmyk, U8), &png).is_none());
        let tiff = [pf(Gray, U16), pf(Gray, F32)];
        assert_eq!(fix_for(pf(Gray, U8), &tiff).unwrap().to, pf(Gray, U16));
    }

    #[test]
    fn advice_is_rewritten_for_each_surface() {
        let fix = fix_for(pf(Rgba, U16), &[pf(Rgb, U8)]).unwrap();
        let rust = fix.advice();
        assert!(
            rust.starts_with(
                "convert::to_layout(img, Layout::Rgb) (drops alpha), then convert::cast(img, SampleType::U8)"
            ),
            "{rust}"
        );
        let cli = for_surface(&rust, Surface::Cli);
        assert_eq!(
            cli,
            "--to rgb (drops alpha), then --cast u8 (fails naming the first value that does not fit) \
             or --scale minmax --cast u8 (rescales on purpose)"
        );
        let c = for_surface(&rust, Surface::C);
        assert!(c.contains("pxc_convert_layout(view, PXC_LAYOUT_RGB, &out)"), "{c}");
        assert!(
            c.contains("pxc_convert_scale_minmax(view, PXC_SAMPLE_U8, &out)") && !c.contains("convert::"),
            "{c}"
        );
    }

    #[test]
    fn metadata_policy_advice_names_each_surface() {
        let rust = format!(
            "use {} or {}",
            Remedy::MetadataPolicy(MetadataPolicy::Keep).text(Surface::Rust),
            Remedy::MetadataPolicy(MetadataPolicy::Strip).text(Surface::Rust)
        );
        assert_eq!(
            rust,
            "use EncodeOptions::metadata_policy(MetadataPolicy::Keep) or EncodeOptions::metadata_policy(MetadataPolicy::Strip)"
        );
        assert_eq!(
            for_surface(&rust, Surface::Cli),
            "use --metadata keep or --metadata strip"
        );
        assert_eq!(
            for_surface(&rust, Surface::C),
            "use pxc_encode_options_set_metadata_policy(opts, PXC_METADATA_POLICY_KEEP) or \
             pxc_encode_options_set_metadata_policy(opts, PXC_METADATA_POLICY_STRIP)"
        );
    }

    #[test]
    fn always_fits_follows_the_ranges() {
        assert!(always_fits(U8, U16) && always_fits(U8, I16) && always_fits(U16, F32) && always_fits(I32, F64));
        assert!(!always_fits(U16, I16) && !always_fits(I8, U8) && !always_fits(U32, F32) && !always_fits(F32, I64));
        assert!(always_fits(F32, F64) && !always_fits(F64, F32));
    }
}
