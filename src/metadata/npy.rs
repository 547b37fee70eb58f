//! [`NpyArray`]: the facts of a NumPy `.npy` array that the image model leaves out (an axis
//! of length 1, the `bool` dtype), carried so that `.npy` → image → `.npy` gives numpy's own
//! bytes back.

use super::{Metadata, MetadataItem, MetadataNote};

/// Shape and dtype facts of a NumPy `.npy` array that an image does not show: a Gray image
/// has no channel axis, one page has no page axis, and `bool` samples are U8 0/1.
///
/// The npy decoder sets a fact only when it holds (so most arrays carry none); the npy encoder
/// honours each one the image allows; every other codec stores images, not arrays, and lists
/// each fact set in [`EncodeReport::metadata_dropped`](crate::EncodeReport::metadata_dropped)
/// (`npy bool dtype: png has no bool samples: the 0/1 values are written as U8`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct NpyArray {
    /// The array had a trailing channel axis of length 1: `(H, W, 1)` or `(N, H, W, 1)`.
    /// Written back for Gray images (a multi-page Gray stack whose width is at most 4 gets
    /// it anyway, so that it reads back unambiguously).
    pub channel_axis: bool,
    /// The array had a leading page axis of length 1: `(1, H, W)` or `(1, H, W, C)`.
    /// Written back for one page (several pages always have their page axis).
    pub page_axis: bool,
    /// The dtype was `bool` (`|b1`), read as U8 0/1. Written back as `|b1` for U8 images;
    /// encoding fails, naming the first sample, when a sample is neither 0 nor 1.
    pub bool_dtype: bool,
}

impl NpyArray {
    /// True when no fact is set.
    pub fn is_empty(&self) -> bool {
        !(self.channel_axis || self.page_axis || self.bool_dtype)
    }

    /// The items of the facts set, in field order.
    pub(super) fn items(&self) -> impl Iterator<Item = MetadataItem> {
        [
            (self.channel_axis, MetadataItem::NpyChannelAxis),
            (self.page_axis, MetadataItem::NpyPageAxis),
            (self.bool_dtype, MetadataItem::NpyBool),
        ]
        .into_iter()
        .filter_map(|(set, item)| set.then_some(item))
    }
}

impl Metadata {
    /// Notes for the npy array facts ([`Metadata::npy`]) that a codec writing images, not
    /// arrays, cannot keep; `codec` names it. Codecs that store metadata add these to their
    /// [`Codec::metadata_fit`](crate::Codec::metadata_fit) notes.
    pub fn npy_facts_dropped(&self, codec: &str) -> Vec<MetadataNote> {
        self.npy
            .items()
            .map(|item| {
                let why = match item {
                    MetadataItem::NpyChannelAxis => {
                        format!("{codec} stores images, not arrays: the shape reads back as (H, W), not (H, W, 1)")
                    }
                    MetadataItem::NpyPageAxis => format!(
                        "{codec} stores images, not arrays: the shape reads back as (H, W[, C]), not (1, H, W[, C])"
                    ),
                    _ => format!("{codec} has no bool samples: the 0/1 values are written as U8"),
                };
                MetadataNote::new(item, why)
            })
            .collect()
    }
}
