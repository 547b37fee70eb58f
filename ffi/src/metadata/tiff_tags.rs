//! The TIFF tags carried as stored (GeoTIFF georeferencing, GDAL metadata and nodata, private
//! tags): count, read one by index (borrowed bytes), add or replace by tag number, clear.

use pixcodec::metadata::TiffTag;

use super::pxc_metadata;
use crate::args::bytes;
use crate::boundary::{ffi, pxc_status, Failure};

/// `*out_count` receives the number of TIFF tags carried as stored (GeoTIFF's
/// ModelPixelScale 33550, ModelTiepoint 33922, GeoKeyDirectory 34735, ...; GDAL's 42112 and
/// 42113; private tags): the tags of a TIFF page that are neither its structure nor another
/// item. TIFF writes them back; other formats report each one dropped (`tiff tag N`).
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_tiff_tag_count(
    metadata: *const pxc_metadata,
    out_count: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata, out_count) {
        unsafe { out_count.write((*metadata).inner.tiff_tags.len()) };
        Ok(())
    })
}

/// TIFF tag `index` (0 .. `pxc_metadata_tiff_tag_count`): `*out_tag` receives its number,
/// `*out_field_type` its TIFF field type (1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL,
/// 6 SBYTE, 7 UNDEFINED, 8 SSHORT, 9 SLONG, 10 SRATIONAL, 11 FLOAT, 12 DOUBLE, 16 LONG8,
/// 17 SLONG8), `*out_count` the number of values, and `*out_value` / `*out_value_len` its
/// `count` values in the machine's byte order (an ASCII tag's bytes include its NULs). The
/// bytes are borrowed: valid while `metadata` lives and is not modified; never NULL, also
/// when empty. An index out of range is `PXC_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_tiff_tag(
    metadata: *const pxc_metadata,
    index: usize,
    out_tag: *mut u16,
    out_field_type: *mut u16,
    out_count: *mut u64,
    out_value: *mut *const u8,
    out_value_len: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata, out_tag, out_field_type, out_count, out_value, out_value_len) {
        let tags = &unsafe { &*metadata }.inner.tiff_tags;
        let t = tags
            .get(index)
            .ok_or_else(|| Failure::invalid(format!("tiff tag {index} does not exist ({} tags)", tags.len())))?;
        unsafe {
            out_tag.write(t.tag);
            out_field_type.write(t.field_type);
            out_count.write(t.count);
            out_value.write(t.value.as_ptr());
            out_value_len.write(t.value.len());
        }
        Ok(())
    })
}

/// Adds TIFF tag `tag` with a copy of `value` (`value_len` bytes; NULL only when 0): `count`
/// values of `field_type` (see `pxc_metadata_tiff_tag`) in the machine's byte order. A
/// `value_len` that is not `count` values, or a field type pixcodec does not carry (13 IFD,
/// 18 IFD8, unknown), is `PXC_STATUS_INVALID_ARGUMENT` saying so. An entry with the same tag
/// number is replaced in place; a new one goes before the first entry with a higher number, so
/// tags read from a file (in ascending order, as TIFF stores them) stay in order. Whether the
/// tag makes sense for the image (a GeoTIFF key directory, ...) is not checked.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_add_tiff_tag(
    metadata: *mut pxc_metadata,
    tag: u16,
    field_type: u16,
    count: u64,
    value: *const u8,
    value_len: usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        if value.is_null() && value_len > 0 {
            return Err(Failure::null("value"));
        }
        // SAFETY: non-NULL (or 0 bytes, where nothing is read) and readable for `value_len`
        // bytes per the caller's contract.
        let v = unsafe { bytes(value, value_len) }.to_vec();
        let t = TiffTag::new(tag, field_type, count, v).map_err(Failure::invalid)?;
        let tags = &mut unsafe { &mut *metadata }.inner.tiff_tags;
        match tags.iter_mut().find(|e| e.tag == tag) {
            Some(e) => *e = t,
            None => {
                let at = tags.iter().position(|e| e.tag > tag).unwrap_or(tags.len());
                tags.insert(at, t);
            }
        }
        Ok(())
    })
}

/// Removes every TIFF tag (the same as `pxc_metadata_remove` with
/// `PXC_METADATA_ITEM_TIFF_TAGS`). Clearing none is not an error.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_clear_tiff_tags(metadata: *mut pxc_metadata) -> pxc_status {
    ffi!(nonnull(metadata) {
        unsafe { &mut *metadata }.inner.tiff_tags.clear();
        Ok(())
    })
}
