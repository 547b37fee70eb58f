//! Animation timing on the command line (issue 16): `info` shows each frame's delay and
//! disposal and the loop count, `convert` GIF → GIF keeps them, GIF → PNG prints a `note:`
//! line for each (and `--metadata strict` writes nothing). Fixtures from
//! `tests/data/animation/` (written by Pillow, see make_fixtures.py there).

use std::path::Path;

mod common;
use common::{fixture, run, s, unwrapped};

use pixcodec::metadata::{Disposal, FrameTiming};
use pixcodec::{DecodeOptions, Registry};

/// Every page's timing and the first page's loop count, as pixcodec decodes them.
fn timing(path: &Path) -> (Vec<Option<FrameTiming>>, Option<u32>) {
    let pages = Registry::global()
        .read_pages_with_infos(path, &DecodeOptions::new())
        .unwrap();
    (
        pages.iter().map(|(i, _)| i.metadata.frame).collect(),
        pages[0].0.metadata.loop_count,
    )
}

#[test]
fn info_shows_delays_disposals_and_the_loop_count() {
    let o = run(&["info", s(&fixture("animation", "loop3.gif"))]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    let out = unwrapped(&o.stdout);
    assert!(out.contains("loop: 4 plays"), "{out}");
    assert!(
        out.contains("frames 0: 100 ms keep; 1: 250 ms background; 2: 70 ms previous"),
        "{out}"
    );
    let o = run(&["info", "--json", s(&fixture("animation", "loop3.gif"))]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["loop_count"], 4);
    assert_eq!(v[0]["frame"]["delay_ms"], 100);
    assert_eq!(v[0]["page_list"][2]["delay_ms"], 70);
    assert_eq!(v[0]["page_list"][2]["disposal"], "previous");
    let o = run(&["info", "--json", s(&fixture("animation", "once.gif"))]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v[0]["loop_count"].is_null());
}

#[test]
fn convert_gif_to_gif_keeps_the_timing() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["loop3.gif", "once.gif"] {
        let out = dir.path().join(name);
        let o = run(&["convert", s(&fixture("animation", name)), s(&out)]);
        assert!(o.status.success(), "{}", unwrapped(&o.stderr));
        assert!(
            !unwrapped(&o.stderr).contains("does not keep"),
            "{}",
            unwrapped(&o.stderr)
        );
        assert_eq!(timing(&out), timing(&fixture("animation", name)), "{name}");
    }
    let (frames, loop_count) = timing(&dir.path().join("loop3.gif"));
    assert_eq!(loop_count, Some(4));
    assert_eq!(
        frames[2],
        Some(FrameTiming {
            delay_ms: 70,
            disposal: Disposal::Previous
        })
    );
}

#[test]
fn convert_gif_to_png_notes_the_drops_and_strict_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("frame1.png");
    let o = run(&["convert", "--page", "1", s(&fixture("animation", "loop3.gif")), s(&out)]);
    assert!(o.status.success(), "{}", unwrapped(&o.stderr));
    let err = unwrapped(&o.stderr);
    assert!(
        err.contains(
            "note: ", 
        ) && err.contains(
            "does not keep frame timing: png stores still images, not animation frames: the delay (250 ms) and disposal (background) are not kept"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "does not keep loop count: png stores still images, not animations: the loop count (4 plays) is not kept"
        ),
        "{err}"
    );
    let strict = dir.path().join("strict.png");
    let o = run(&[
        "convert",
        "--page",
        "1",
        "--metadata",
        "strict",
        s(&fixture("animation", "loop3.gif")),
        s(&strict),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", unwrapped(&o.stderr));
    assert!(!strict.exists());
}
