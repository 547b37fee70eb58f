//! The ML options as text (`FromStr` of [`ColorMode`](super::ColorMode),
//! [`Interpolation`](super::Interpolation), [`Fit`](super::Fit),
//! [`ChannelOrder`](super::ChannelOrder), [`ScalePolicy`](super::ScalePolicy),
//! [`Labels`](super::Labels), [`LabelMode`](super::LabelMode), [`Subset`](super::Subset),
//! [`OnError`](super::OnError), and the decode option [`DctMethod`](crate::DctMethod)): each
//! enum gives a table of spellings, and one lookup matches them and words the error, listing the
//! accepted values, the same way for all.

use crate::error::{Error, Result};

/// Looks `s` up, ASCII case-insensitively, among `choices` (the spellings of each value,
/// the first being the one to show). The error names `what` and lists those first spellings:
/// `unknown fit 'x' (stretch, keep, crop, pad)`.
pub(crate) fn choose<T: Clone>(what: &str, s: &str, choices: &[(&[&str], T)]) -> Result<T> {
    let lower = s.to_ascii_lowercase();
    choices
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
        .map(|(_, value)| value.clone())
        .ok_or_else(|| {
            let accepted: Vec<&str> = choices.iter().filter_map(|(names, _)| names.first().copied()).collect();
            Error::invalid(format!("unknown {what} '{s}' ({})", accepted.join(", ")))
        })
}

/// `FromStr` for an enum from its table of spellings, through [`choose`]:
/// `from_names!(Subset, "subset", { Subset::Training => ["training"], … });`.
macro_rules! from_names {
    ($ty:ty, $what:literal, { $($value:expr => [$($name:literal),+ $(,)?]),+ $(,)? }) => {
        impl std::str::FromStr for $ty {
            type Err = $crate::error::Error;
            #[doc = concat!("Accepts, ASCII case-insensitively:", $($(" `", $name, "`"),+),+, ".")]
            fn from_str(s: &str) -> $crate::error::Result<Self> {
                $crate::ml::parse::choose($what, s, &[$((&[$($name),+], $value)),+])
            }
        }
    };
}
pub(crate) use from_names;

#[cfg(test)]
mod tests {
    use super::super::{ChannelOrder, ColorMode, Fit, Interpolation, LabelMode, Labels, OnError, ScalePolicy, Subset};

    #[test]
    fn every_spelling_parses_case_insensitively() {
        assert_eq!("Keep".parse::<Fit>().unwrap(), Fit::KeepAspectRatio);
        assert_eq!("crop-to-aspect-ratio".parse::<Fit>().unwrap(), Fit::CropToAspectRatio);
        assert_eq!("pad_to_aspect_ratio".parse::<Fit>().unwrap(), Fit::PadToAspectRatio);
        assert_eq!("stretch".parse::<Fit>().unwrap(), Fit::Stretch);
        assert_eq!("channels_first".parse::<ChannelOrder>().unwrap(), ChannelOrder::First);
        assert_eq!("last".parse::<ChannelOrder>().unwrap(), ChannelOrder::Last);
        assert_eq!("CATEGORICAL".parse::<LabelMode>().unwrap(), LabelMode::Categorical);
        assert_eq!("none".parse::<LabelMode>().unwrap(), LabelMode::None);
        assert_eq!("inferred".parse::<Labels>().unwrap(), Labels::Inferred);
        assert_eq!("none".parse::<Labels>().unwrap(), Labels::None);
        assert_eq!("validation".parse::<Subset>().unwrap(), Subset::Validation);
        assert_eq!("both".parse::<Subset>().unwrap(), Subset::Both);
        assert_eq!("skip".parse::<OnError>().unwrap(), OnError::Skip);
        assert_eq!("fail".parse::<OnError>().unwrap(), OnError::Fail);
        assert_eq!("grayscale".parse::<ColorMode>().unwrap(), ColorMode::Gray);
        assert_eq!("lanczos".parse::<Interpolation>().unwrap(), Interpolation::Lanczos3);
        assert_eq!("none".parse::<ScalePolicy>().unwrap(), ScalePolicy::None);
        assert_eq!("min-max".parse::<ScalePolicy>().unwrap(), ScalePolicy::MinMax);
        assert_eq!("-1..1".parse::<ScalePolicy>().unwrap(), ScalePolicy::Range(-1.0, 1.0));
        assert_eq!("0.5..2.5".parse::<ScalePolicy>().unwrap(), ScalePolicy::Range(0.5, 2.5));
    }

    /// Parsing `input` as `T` fails with the message naming `what` and listing `accepted`.
    fn rejects<T: std::str::FromStr<Err = crate::Error> + std::fmt::Debug>(input: &str, what: &str, accepted: &str) {
        let e = input.parse::<T>().unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("invalid argument: unknown {what} '{input}' ({accepted})")
        );
    }

    #[test]
    fn errors_list_the_accepted_values() {
        rejects::<Fit>("squash", "fit", "stretch, keep, crop, pad");
        rejects::<LabelMode>("onehot", "label mode", "int, categorical, binary, none");
        rejects::<Subset>("test", "subset", "training, validation, both");
        rejects::<OnError>("retry", "on-error policy", "fail, skip");
        rejects::<Labels>("0,1", "labels", "inferred, none");
        rejects::<ChannelOrder>("middle", "channel order", "last, first");
        rejects::<ColorMode>("gray16", "color mode", "gray, rgb, rgba");
        rejects::<Interpolation>(
            "cubic",
            "interpolation",
            "nearest, bilinear, bicubic, lanczos3, box, hamming",
        );
        let msg = |e: crate::Error| e.to_string();
        for bad in ["clip", "0..x", "..1", "nan..1", "0..inf"] {
            assert_eq!(
                msg(bad.parse::<ScalePolicy>().unwrap_err()),
                format!(
                    "invalid argument: unknown scale policy '{bad}' (none, minmax, or a range LO..HI such as 0..1)"
                )
            );
        }
    }
}
