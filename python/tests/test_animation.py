"""Animation timing (issue 16) against Pillow: the metadata dict carries each page's
``frame_delay_ms`` and ``frame_disposal`` and the first page's ``loop_count`` (total plays, 0
forever), ``encode_pages`` takes them as lists, and Pillow reads pixcodec's GIF with the
source's ``duration`` per frame, its disposal methods and its ``loop``. Fixtures from
``tests/data/animation/`` (made by its ``make_fixtures.py`` with Pillow)."""

import io
import pathlib

import numpy as np
import pytest
from PIL import Image

import pixcodec

DATA = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "animation"


def timing(data):
    """Pillow's (duration, disposal method) per frame and loop of a GIF."""
    im = Image.open(io.BytesIO(data))
    frames = []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append((im.info["duration"], im.disposal_method))
    return frames, im.info.get("loop")


def carried(data):
    """The metadata dict of the first page with every page's timing as lists."""
    first = pixcodec.probe(data)
    pages = [pixcodec.probe(data, page=k).metadata for k in range(first.pages)]
    md = dict(first.metadata)
    md["frame_delay_ms"] = [p["frame_delay_ms"] for p in pages]
    md["frame_disposal"] = [p["frame_disposal"] for p in pages]
    return md


@pytest.mark.parametrize("name", ["loop3.gif", "once.gif"])
def test_gif_to_gif_keeps_durations_disposals_and_loop(name):
    src = (DATA / name).read_bytes()
    md = carried(src)
    arrays = pixcodec.decode_pages(src)
    # Strict: refused if anything were dropped or changed.
    data = pixcodec.encode_pages(arrays, "gif", metadata=md, metadata_policy="strict")
    assert timing(data) == timing(src)


def test_metadata_dict_names_the_timing():
    src = (DATA / "loop3.gif").read_bytes()
    m = pixcodec.probe(src).metadata
    assert (m["frame_delay_ms"], m["frame_disposal"], m["loop_count"]) == (100, "keep", 4)
    m2 = pixcodec.probe(src, page=2).metadata
    assert (m2["frame_delay_ms"], m2["frame_disposal"]) == (70, "previous")
    assert "loop_count" not in m2
    assert "loop_count" not in pixcodec.probe((DATA / "once.gif").read_bytes()).metadata


def test_webp_to_gif_keeps_durations_and_plays():
    src = (DATA / "twice.webp").read_bytes()
    md = carried(src)
    rgba = [np.dstack([a, np.full(a.shape[:2], 255, np.uint8)]) for a in pixcodec.decode_pages(src)]
    data = pixcodec.encode_pages(rgba, "gif", metadata=md)
    frames, loop = timing(data)
    # Pillow's WebP durations, the 45 ms one in GIF's hundredths; two plays: one repeat.
    assert [d for d, _ in frames] == [120, 50, 200]
    assert loop == 1
    with pytest.raises(pixcodec.NotExactError, match="45 ms is written as 50 ms"):
        pixcodec.encode_pages(rgba, "gif", metadata=md, metadata_policy="strict")


def test_gif_to_png_reports_the_timing_dropped():
    src = (DATA / "loop3.gif").read_bytes()
    md = pixcodec.probe(src).metadata
    _, report = pixcodec.encode_report(pixcodec.decode(src), "png", metadata=md)
    assert [d.split(":")[0] for d in report.metadata_dropped] == ["frame timing", "loop count"]
