//! Explicit conversions: the only way pixcodec changes pixel data.
//!
//! Every function here says exactly what it does to the values, takes an [`ImageRef`] with
//! any row stride, and returns a new, tightly packed [`Image`]. Nothing is clipped, rounded
//! or rescaled unless the function's name and documentation say so; when a value cannot be
//! carried over as promised, the call fails with an error naming the first offending value
//! and its position (`x=…, y=…, channel …`), scanning rows top to bottom and samples left to
//! right.
//!
//! | function | what happens to values | may fail with |
//! |---|---|---|
//! | [`cast`] | unchanged (value-preserving type change) | [`Error::NotExact`] on the first value that does not fit |
//! | [`narrow`] / [`narrow_to`] | unchanged; picks / checks a smaller type from the actual data | [`Error::NotExact`] (`narrow_to`) |
//! | [`scale`] | linear rescale (min-max or fixed range), rounded half to even | [`Error::NotExact`] on out-of-range or non-finite input |
//! | [`to_gray`] | BT.601 luma (lossy by nature) | wrong layout |
//! | [`gray_to_rgb`], [`add_alpha`], [`drop_alpha`], [`swap_rb`] | copied / replicated / removed, exact | wrong layout |
//! | [`to_layout`] | dispatches to the channel conversions above | `Cmyk` is [`Error::Unsupported`] |
//! | [`orient`] / [`apply_orientation`] | moved (rotated/flipped by the EXIF orientation), exact; `apply_orientation` resets the orientation in the metadata to 1 | an orientation outside 1..=8 |
//! | [`invert`] / [`invert_bits`] / [`apply_invert`] | colour samples become `max - v` (alpha copied); `apply_invert` flips the photometric convention in the metadata, so the picture stays the same | signed or float samples; a value above `2^bits - 1` |
//!
//! Channel order in pixcodec is always as the [`Layout`] names it (RGB, not BGR); callers
//! holding BGR(A) data convert it with [`swap_rb`].
//!
//! One file per concept: [`cast`](fn@cast) and [`narrow`] (value-preserving type changes),
//! [`scale`](fn@scale) (deliberate linear rescaling), and the channel conversions
//! (`channels.rs`), the EXIF orientation moves (`orientation.rs`), the photometric inversion
//! (`invert.rs`), what a caller can do
//! about a refusal on each surface ([`Remedy`], `remedy.rs`); `num.rs` holds the lossless
//! numeric model and the error texts they share.
//!
//! [`Image`]: crate::image::Image
//! [`ImageRef`]: crate::image::ImageRef
//! [`Layout`]: crate::format::Layout
//! [`Error::NotExact`]: crate::error::Error::NotExact
//! [`Error::Unsupported`]: crate::error::Error::Unsupported

mod cast;
mod channels;
mod invert;
mod num;
mod orientation;
mod remedy;
mod scale;

pub use cast::{cast, check_cast, narrow, narrow_to, narrowest_type};
pub use channels::{add_alpha, drop_alpha, gray_to_rgb, swap_rb, swap_rb_in_place, to_gray, to_layout, Alpha};
pub use invert::{apply_invert, invert, invert_bits};
pub use orientation::{apply_orientation, orient, oriented_size, reset_orientation, swaps_axes};
pub use remedy::{always_fits, fix_for, for_surface, layout_flag, Fix, Remedy, Surface};
pub use scale::{scale, Scale};
