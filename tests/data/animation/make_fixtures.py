"""Writes the animation fixtures of tests/animation.rs with Pillow (run once; the files are
committed): two GIFs and an animated WebP with known per-frame durations, disposals and loop
counts, and expected.json saying what each file stores.

    python3 -m venv venv && venv/bin/pip install pillow && venv/bin/python make_fixtures.py
"""

import json
import struct
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
W, H = 8, 6


def frames(n):
    """n distinct opaque RGBA frames (every pixel different from frame to frame)."""
    out = []
    for k in range(n):
        im = Image.new("RGBA", (W, H))
        im.putdata(
            [
                (40 * k + 7 * x, 30 * y + 20 * k, 200 - 25 * k, 255)
                for y in range(H)
                for x in range(W)
            ]
        )
        out.append(im)
    return out


def webp_timing(data):
    """(durations, dispose-to-background flags, loop count) read from the RIFF chunks."""
    pos, durations, disposals, loop = 12, [], [], None
    while pos + 8 <= len(data):
        tag, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        if tag == b"ANIM":
            loop = struct.unpack("<H", body[4:6])[0]
        elif tag == b"ANMF":
            durations.append(int.from_bytes(body[12:15], "little"))
            disposals.append("background" if body[15] & 1 else "keep")
        pos += 8 + size + (size & 1)
    return durations, disposals, loop


GIF_DISPOSAL = {1: "keep", 2: "background", 3: "previous"}
expected = {}

# A looping GIF: NETSCAPE2.0 repeat count 3 (4 plays), each GIF disposal method.
durations, disposal = [100, 250, 70], [1, 2, 3]
first, *rest = [f.convert("RGB").convert("P") for f in frames(3)]
first.save(HERE / "loop3.gif", save_all=True, append_images=rest, duration=durations, disposal=disposal, loop=3)
expected["loop3.gif"] = {
    "delay_ms": durations,
    "disposal": [GIF_DISPOSAL[d] for d in disposal],
    "gif_repeats": 3,
    "loop_count": 4,
}

# A GIF without the NETSCAPE2.0 extension (played once).
durations, disposal = [40, 1000], [2, 1]
first, *rest = [f.convert("RGB").convert("P") for f in frames(2)]
first.save(HERE / "once.gif", save_all=True, append_images=rest, duration=durations, disposal=disposal)
assert b"NETSCAPE2.0" not in (HERE / "once.gif").read_bytes()
expected["once.gif"] = {
    "delay_ms": durations,
    "disposal": [GIF_DISPOSAL[d] for d in disposal],
    "gif_repeats": None,
    "loop_count": None,
}

# An animated lossless WebP playing twice; durations not all whole hundredths of a second.
durations = [120, 45, 200]
first, *rest = frames(3)
first.save(HERE / "twice.webp", save_all=True, append_images=rest, duration=durations, loop=2, lossless=True)
got, disposals, loop = webp_timing((HERE / "twice.webp").read_bytes())
assert got == durations and loop == 2, (got, loop)
expected["twice.webp"] = {"delay_ms": durations, "disposal": disposals, "loop_count": 2}

(HERE / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
