//! Keras-style loading for machine learning: [`load`](load::load) (`load_img` +
//! `img_to_array`), [`to_array`] / [`from_array`]
//! (`img_to_array` / `array_to_img`), [`save`] (`save_img`) and
//! [`Dataset`] (`image_dataset_from_directory`), built on the exact core.
//!
//! The same meaning as Keras where Keras is right, and safe defaults where it is not:
//!
//! | Keras | here | difference |
//! |---|---|---|
//! | `load_img(color_mode=…)` | [`ColorMode`] | 16-bit files stay 16-bit (Pillow makes 16-bit RGB 8-bit) |
//! | `load_img(target_size=(h, w), interpolation=…)` | [`LoadOptions::target_size`], [`Interpolation`] | none by default; shrink-on-load for JPEG on request ([`LoadOptions::shrink_on_load`]) |
//! | `load_img(keep_aspect_ratio=True)` | [`Fit::KeepAspectRatio`] | none: the same crop box |
//! | `image_dataset_from_directory(crop_to_aspect_ratio=True)` | [`Fit::CropToAspectRatio`] | none: `smart_resize`'s arithmetic |
//! | `image_dataset_from_directory(pad_to_aspect_ratio=True)` | [`Fit::PadToAspectRatio`] | none: `tf.image.resize_with_pad`'s arithmetic |
//! | `load_img` ignores the EXIF orientation | [`LoadOptions::orient`], [`DatasetOptions::orient`] | none by default; on request, pixels turned upright before resizing ([`convert::orient`](crate::convert::orient)) |
//! | `array_to_img(scale=True)` (the default) | [`ScalePolicy::MinMax`], never the default | default [`ScalePolicy::None`] is exact or an error |
//!
//! Resizing uses `fast_image_resize` (SIMD) on `U8`, `U16` and `F32` data with 1 to 4
//! channels. With `antialias` on (the default of [`load`](load::load), as Pillow and
//! `load_img`), downscaling widens the filter to the scale factor (Pillow's convolution, alpha
//! premultiplied as Pillow does); with it off (the default of datasets, as `tf.image.resize`
//! in `image_dataset_from_directory`) the filter keeps its fixed size and alpha is resized as a
//! plain channel.

pub mod array;
mod bilinear;
pub mod dataset;
pub mod load;
mod mt19937;
pub(crate) mod parse;
pub mod resize;
mod shrink;

pub use array::{from_array, save, save_array, to_array, Array, ChannelOrder, SaveOptions, ScalePolicy};
pub use dataset::{Batch, Batches, Dataset, DatasetOptions, LabelMode, Labels, OnError, Recycler, Subset};
pub use load::{load, load_bytes, load_bytes_with, load_into, LoadOptions};
pub use resize::{resize, resize_into, ColorMode, Fit, Interpolation, ResizeOptions};
pub use shrink::{check_shrink_min_psnr, DEFAULT_SHRINK_MIN_PSNR, SHRINK_RATIOS};
