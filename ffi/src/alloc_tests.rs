//! A counting allocator (this crate's unit-test binary only) shows that
//! `pxc_encode_to_buffer` into a reused `pxc_buffer` allocates nothing per call once warm,
//! as `pixcodec::encode_into` does (tests/alloc.rs of the core crate). Only allocations made
//! by Rust code on the calling thread are counted.

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::cell::Cell;
use std::ffi::CStr;
use std::ptr::null;

use pixcodec::{Image, Layout, PixelFormat, SampleType};

use crate::boundary::pxc_status;
use crate::encode::{
    pxc_buffer_free, pxc_buffer_len, pxc_buffer_new, pxc_encode_options_free, pxc_encode_options_new,
    pxc_encode_options_set, pxc_encode_report, pxc_encode_to_buffer,
};
use crate::types::pxc_image_view;

struct Counting;

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: AllocLayout) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: AllocLayout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: AllocLayout, new: usize) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn image(format: PixelFormat) -> Image {
    let mut img = Image::new(160, 120, format).unwrap();
    for y in 0..img.height() {
        for (i, b) in img.row_mut(y).iter_mut().enumerate() {
            *b = (i * 5 + y as usize * 3 + (i * y as usize) % 11) as u8;
        }
    }
    img
}

/// Target, pixel format, options as (key, value) text.
type Case = (&'static CStr, PixelFormat, &'static [(&'static CStr, &'static CStr)]);

#[test]
fn encode_to_buffer_allocates_nothing_after_the_first_call() {
    let rgb8 = PixelFormat::new(Layout::Rgb, SampleType::U8);
    let cases: [Case; 5] = [
        (c"png", rgb8, &[]),
        (
            c"png",
            PixelFormat::new(Layout::Gray, SampleType::U16),
            &[(c"level", c"1")],
        ),
        (c"jpeg", rgb8, &[(c"quality", c"90"), (c"subsampling", c"420")]),
        (c"image/jpeg", PixelFormat::new(Layout::Gray, SampleType::U8), &[]),
        (c"npy", PixelFormat::new(Layout::Rgba, SampleType::F32), &[]),
    ];
    for (target, format, params) in cases {
        let img = image(format);
        let view = pxc_image_view::from_ref(&img.as_ref());
        let opts = pxc_encode_options_new();
        for (k, v) in params {
            assert_eq!(
                unsafe { pxc_encode_options_set(opts, k.as_ptr(), v.as_ptr()) },
                pxc_status::Ok
            );
        }
        let buf = pxc_buffer_new(0);
        let mut report: pxc_encode_report = unsafe { std::mem::zeroed() };
        let mut call = || unsafe { pxc_encode_to_buffer(null(), &view, target.as_ptr(), opts, buf, &mut report) };
        assert_eq!(call(), pxc_status::Ok);
        assert_eq!(call(), pxc_status::Ok);
        let before = COUNT.with(|c| c.get());
        for _ in 0..5 {
            assert_eq!(call(), pxc_status::Ok);
        }
        let n = COUNT.with(|c| c.get()) - before;
        assert_eq!(
            n, 0,
            "{target:?} {format}: allocations in 5 warm pxc_encode_to_buffer calls"
        );
        assert_eq!(report.bytes_written as usize, unsafe { pxc_buffer_len(buf) });
        unsafe {
            pxc_buffer_free(buf);
            pxc_encode_options_free(opts);
        }
    }
}
