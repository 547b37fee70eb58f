//! TIFF tags carried as stored ([`Metadata::tiff_tags`]): GeoTIFF's georeferencing
//! (ModelPixelScale 33550, ModelTiepoint 33922, ModelTransformation 34264, GeoKeyDirectory
//! 34735, GeoDoubleParams 34736, GeoAsciiParams 34737), GDAL's metadata and nodata (42112,
//! 42113), a scanner's or camera's private tags: every tag of a page that pixcodec neither
//! writes itself nor models as another item. TIFF writes them back on the first page; other
//! formats have no place for them and report each one dropped.

use super::{Metadata, MetadataItem, MetadataNote};

/// One TIFF tag as stored: its number, field type and values (in the machine's byte order, so
/// a big-endian source's values are written correctly into a little-endian file).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TiffTag {
    /// Tag number (33550 ModelPixelScale, ...).
    pub tag: u16,
    /// TIFF field type: 1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 6 SBYTE, 7 UNDEFINED,
    /// 8 SSHORT, 9 SLONG, 10 SRATIONAL, 11 FLOAT, 12 DOUBLE, 16 LONG8, 17 SLONG8 (BigTIFF).
    pub field_type: u16,
    /// Number of values.
    pub count: u64,
    /// `count` values of `field_type`, each in the machine's byte order.
    pub value: Vec<u8>,
}

impl TiffTag {
    /// A tag whose `value` holds `count` values of `field_type`; an error says what is wrong
    /// (unknown or pointer type, a length that is not `count` values).
    pub fn new(tag: u16, field_type: u16, count: u64, value: Vec<u8>) -> Result<TiffTag, String> {
        let size = element_size(field_type).ok_or_else(|| {
            format!("tiff tag {tag}: field type {field_type} is not a value type pixcodec carries (1-12, 16, 17)")
        })?;
        if Some(value.len() as u64) != count.checked_mul(size as u64) {
            return Err(format!(
                "tiff tag {tag}: {} bytes are not {count} values of type {field_type} ({size} bytes each)",
                value.len()
            ));
        }
        Ok(TiffTag {
            tag,
            field_type,
            count,
            value,
        })
    }

    /// Bytes of one value of this tag's field type (2 for SHORT, 8 for RATIONAL, ...).
    pub fn element_size(&self) -> Option<usize> {
        element_size(self.field_type)
    }

    /// The values with each element's bytes reversed: machine order from the other byte
    /// order, or back. Rationals swap their two halves separately.
    pub(crate) fn swapped(field_type: u16, value: &mut [u8]) {
        let unit = match field_type {
            5 | 10 => 4,
            t => element_size(t).unwrap_or(1),
        };
        if unit > 1 {
            value.chunks_exact_mut(unit).for_each(<[u8]>::reverse);
        }
    }
}

/// Bytes per value of the field types a [`TiffTag`] can hold; `None` for unknown types and
/// for IFD pointers (13, 18), whose values are offsets into the source file.
pub fn element_size(field_type: u16) -> Option<usize> {
    Some(match field_type {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 => 4,
        5 | 10 | 12 | 16 | 17 => 8,
        _ => return None,
    })
}

/// Tags the image itself or another [`Metadata`] item stands for, which a [`TiffTag`] does
/// not carry (decoding) or write (encoding): the page structure (size, samples, compression
/// and its parameters, strips and tiles, colour map, extra samples, JPEG tables, YCbCr, page
/// kind and number) and the modelled items (resolution, orientation, text, ICC, XMP, EXIF).
pub const STRUCTURE_TAGS: &[u16] = &[
    254, 255, 256, 257, 258, 259, 262, 266, 270, 273, 274, 277, 278, 279, 282, 283, 284, 292, 293, 296, 297, 305, 306,
    315, 317, 320, 322, 323, 324, 325, 332, 338, 339, 347, 512, 513, 514, 515, 517, 518, 519, 520, 521, 529, 530, 531,
    532, 700, 33432, 34665, 34675,
];

/// Tags whose values are offsets of further structures in the source file (sub-IFDs, free
/// space, the GPS and interoperability IFDs): copied as bytes they would point at nothing,
/// so a decoder names them in [`Metadata::unreadable`] instead of carrying them.
pub const POINTER_TAGS: &[u16] = &[288, 289, 330, 34853, 40965];

/// Whether a tag numbered `tag` of field type `field_type` is one a [`TiffTag`] carries.
pub fn is_carried(tag: u16, field_type: u16) -> bool {
    !STRUCTURE_TAGS.contains(&tag) && !POINTER_TAGS.contains(&tag) && element_size(field_type).is_some()
}

impl Metadata {
    /// One note per [`Metadata::tiff_tags`] entry, for a `codec` that stores no TIFF tags.
    pub fn tiff_tags_dropped(&self, codec: &str) -> Vec<MetadataNote> {
        self.tiff_tags
            .iter()
            .map(|t| {
                MetadataNote::new(
                    MetadataItem::TiffTag(t.tag),
                    format!("{codec} has no place for TIFF tags; convert to TIFF to keep it"),
                )
            })
            .collect()
    }
}
