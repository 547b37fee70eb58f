//! Decodes arbitrary bytes through the C ABI (the `pxc_*` functions, called in-process):
//! probe, decode to a handle, all pages, and the two-phase decode into a caller buffer
//! with a padded stride, including the BUFFER_TOO_SMALL path. Every call must return a
//! status (never unwind), and the buffer decode must equal the handle decode.
#![no_main]

use std::ptr;

use libfuzzer_sys::fuzz_target;
use pixcodec_ffi::boundary::pxc_status;
use pixcodec_ffi::decode::*;
use pixcodec_ffi::types::pxc_info;

fuzz_target!(|data: &[u8]| unsafe {
    let limits = pxc_limits_new();
    assert_eq!(pxc_limits_set_max_alloc_bytes(limits, 64 << 20), pxc_status::Ok);
    assert_eq!(pxc_limits_set_max_pages(limits, 64), pxc_status::Ok);
    let reg = ptr::null();

    let mut info = pxc_info::zeroed();
    let probed = pxc_probe(reg, data.as_ptr(), data.len(), limits, &mut info);

    let mut image = ptr::null_mut();
    let decoded = pxc_decode(reg, data.as_ptr(), data.len(), limits, &mut image);
    if decoded == pxc_status::Ok {
        assert_eq!(probed, pxc_status::Ok, "decode succeeded where probe failed");
        let (w, h) = (pxc_image_width(image), pxc_image_height(image));
        assert_eq!((w, h), (info.width, info.height));
        let stride = pxc_image_stride(image);
        let row = stride; // decoded images are tightly packed
        // Phase one: ask for the size with no buffer.
        let padded = row + 8;
        let mut needed = 0usize;
        let st = pxc_decode_into(reg, data.as_ptr(), data.len(), limits, ptr::null_mut(), 0, padded, ptr::null_mut(), &mut needed);
        assert_eq!(st, pxc_status::BufferTooSmall);
        assert_eq!(needed, padded * (h as usize - 1) + row);
        // Phase two: decode into the padded buffer; padding bytes stay untouched.
        let mut buf = vec![0x5Au8; needed];
        let st = pxc_decode_into(reg, data.as_ptr(), data.len(), limits, buf.as_mut_ptr().cast(), buf.len(), padded, ptr::null_mut(), ptr::null_mut());
        assert_eq!(st, pxc_status::Ok);
        let pixels = std::slice::from_raw_parts(pxc_image_data(image), pxc_image_size(image));
        for y in 0..h as usize {
            assert_eq!(&buf[y * padded..y * padded + row], &pixels[y * row..(y + 1) * row]);
            if y + 1 < h as usize {
                assert!(buf[y * padded + row..(y + 1) * padded].iter().all(|&b| b == 0x5A));
            }
        }
        pxc_image_free(image);
    }

    let mut list = ptr::null_mut();
    if pxc_decode_pages(reg, data.as_ptr(), data.len(), limits, &mut list) == pxc_status::Ok {
        assert!(pxc_image_list_len(list) >= 1);
        pxc_image_list_free(list);
    }
    pxc_limits_free(limits);
});
