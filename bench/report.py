"""Merges the rows of one `make bench` run into target/bench/report.md and report.json.

Usage: python report.py BENCH_DIR. Reads BENCH_DIR/rows-*.json (every file: the Rust side
writes rows-rust.json, the peers rows-peers.json, the C ABI rows-cabi.json; other benches,
e.g. the ML loader's rows-ml.json and the Python section's rows-python.json, add their own
rows-<name>.json with the same fields), peak.json
(memory) and alloc.txt (the counting-allocator test's result), and machine facts.
Row fields: format, op, image, variant, tool, lang, threads, seconds, mpix_s, bytes, mpix;
optional "target" rows: {"target": text, "ratio": x, "goal": y, "higher_is_better": bool}.
"""

import glob
import json
import math
import os
import platform
import subprocess
import sys

PEER_LANGS = {"python"}


def load(d):
    rows = []
    for p in sorted(glob.glob(os.path.join(d, "rows-*.json"))):
        rows += json.load(open(p))
    return rows


def best_rounds(rows):
    """One row per (case, tool): the fastest of the rounds `make bench` ran (BENCH_ROUNDS),
    with ``rounds`` (how many were timed) and ``spread`` (slowest/fastest median - 1)."""
    best, seen = {}, {}
    for r in rows:
        key = (r["format"], r["op"], r["image"], r["variant"], r["tool"])
        seen.setdefault(key, []).append(r["mpix_s"])
        if key not in best or r["mpix_s"] > best[key]["mpix_s"]:
            best[key] = r
    for key, r in best.items():
        speeds = seen[key]
        r["rounds"] = len(speeds)
        r["spread"] = round(max(speeds) / min(speeds) - 1, 3)
    return list(best.values())


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(), "python": platform.python_version(),
            "rustc": rustc}


def main():
    d = sys.argv[1]
    rows = best_rounds([r for r in load(d) if "tool" in r])
    rounds = max((r["rounds"] for r in rows), default=0)
    extra_targets = [r for r in load(d) if "target" in r]
    cases = {}
    for r in rows:
        cases.setdefault((r["format"], r["op"], r["image"], r["variant"]), {})[r["tool"]] = r
    targets = []

    def target(name, ratio, goal, detail, higher=True):
        if ratio is None:  # not measured (a peer missing): says so, never met
            targets.append({"target": name, "ratio": None, "goal": goal, "met": False, "detail": detail})
            return
        ok = ratio >= goal if higher else ratio <= goal
        targets.append({"target": name, "ratio": round(ratio, 3), "goal": goal, "met": ok, "detail": detail})

    def peers(tools, op=None):
        return {t: r for t, r in tools.items() if r["lang"] in PEER_LANGS}

    def worst(name, goal, pairs, higher=True):
        pairs = [p for p in pairs if p[0] is not None]
        if not pairs:
            return
        ratio, detail = (min if higher else max)(pairs, key=lambda p: p[0])
        target(name, ratio, goal, "worst case: " + detail + f" ({len(pairs)} cases)", higher)

    for fmt, op in [("jpeg", "decode"), ("jpeg", "encode")]:
        raw, peer, lossless = [], [], []
        for (f, o, img, v), tools in cases.items():
            if (f, o) != (fmt, op) or "pixcodec" not in tools:
                continue
            if v.startswith("lossless"):
                if "imagecodecs" in tools:
                    lossless.append((tools["pixcodec"]["mpix_s"] / tools["imagecodecs"]["mpix_s"], img))
                continue
            px = tools["pixcodec"]["mpix_s"]
            if "turbojpeg-crate" in tools:
                raw.append((px / tools["turbojpeg-crate"]["mpix_s"], img))
            p = peers(tools)
            if p:
                best = max(p.values(), key=lambda r: r["mpix_s"])
                peer.append((px / best["mpix_s"], f"{img} vs {best['tool']}"))
        worst(f"JPEG {op} vs raw turbojpeg crate", 0.97, raw)
        worst(f"JPEG {op} vs best peer", 1.0, peer)
        worst(f"lossless JPEG U16 {op} vs imagecodecs", 1.0, lossless)

    dec, enc, size, fast = [], [], [], []
    for (f, o, img, v), tools in cases.items():
        if f != "png" or "pixcodec" not in tools:
            continue
        p = peers(tools)
        if not p:
            continue
        best = max(p.values(), key=lambda r: r["mpix_s"])
        px = tools["pixcodec"]
        if o == "decode":
            dec.append((px["mpix_s"] / best["mpix_s"], f"{img} vs {best['tool']}"))
        elif v == "level6":
            enc.append((px["mpix_s"] / best["mpix_s"], f"{img} vs {best['tool']}"))
            size.append((px["bytes"] / best["bytes"], f"{img} vs {best['tool']}"))
            fast_case = cases.get((f, o, img, "fast"), {}).get("pixcodec")
            if fast_case:
                fast.append((fast_case["mpix_s"] / best["mpix_s"], f"{img} vs {best['tool']} at level 6"))
    worst("PNG decode vs best peer", 1.3, dec)
    worst("PNG encode level 6 speed vs best peer", 2.0, enc)
    worst("PNG encode level 6 size vs that peer", 1.03, size, higher=False)
    worst("PNG fast level (level=1 filter=up) vs best peer's default speed", 5.0, fast)

    memcpy, lzw, deflate = [], {"decode": [], "encode": []}, {"decode": [], "encode": []}
    for (f, o, img, v), tools in cases.items():
        if f != "tiff" or "pixcodec" not in tools:
            continue
        px = tools["pixcodec"]["mpix_s"]
        if o == "decode" and v == "none" and "memcpy" in tools:
            memcpy.append((px / tools["memcpy"]["mpix_s"], img))
        p = peers(tools)
        if p and v != "none":
            best = max(p.values(), key=lambda r: r["mpix_s"])
            (lzw if v.startswith("lzw") else deflate)[o].append((px / best["mpix_s"], f"{img} {v} vs {best['tool']}"))
    worst("TIFF uncompressed decode vs memcpy", 0.5, memcpy)
    for name, group in (("LZW", lzw), ("Deflate", deflate)):
        for o in ("decode", "encode"):
            worst(f"TIFF {name} {o} vs best peer", 1.0, group[o])

    meta = []
    for key, tools in cases.items():
        if key[1] == "encode" and "pixcodec-metadata" in tools and "pixcodec" in tools:
            meta.append((tools["pixcodec"]["mpix_s"] / tools["pixcodec-metadata"]["mpix_s"], " ".join(key)))
    if meta:
        gm = math.exp(sum(math.log(r) for r, _ in meta) / len(meta))
        hi = max(meta)
        target("Encode time with a camera file's metadata / without (geometric mean)", gm, 1.01,
               f"{len(meta)} encode cases; highest single case {hi[0]:.3f} ({hi[1]}), single cases vary with machine noise",
               higher=False)

    cabi = []
    for key, tools in cases.items():
        if "pixcodec-c-abi" in tools and "pixcodec" in tools:
            cabi.append((tools["pixcodec-c-abi"]["mpix_s"] / tools["pixcodec"]["mpix_s"], " ".join(key)))
    if cabi:
        gm = math.exp(sum(math.log(r) for r, _ in cabi) / len(cabi))
        lo = min(cabi)
        target("C ABI vs Rust API (geometric mean)", gm, 0.98,
               f"{len(cabi)} cases; lowest single case {lo[0]:.3f} ({lo[1]}), single cases vary with machine noise")

    peak_path = os.path.join(d, "peak.json")
    if os.path.exists(peak_path):
        pk = json.load(open(peak_path))
        target("Peak memory decoding a 4000x3000 RGB JPEG / decoded size", pk["ratio"], 1.15,
               f"RSS high-water {pk['peak_rss'] / 2**20:.1f} MiB over a baseline of {pk['baseline_rss'] / 2**20:.1f} MiB; "
               f"image {pk['decoded_bytes'] / 2**20:.1f} MiB", higher=False)
    alloc_path = os.path.join(d, "alloc.txt")
    if os.path.exists(alloc_path):
        ok = open(alloc_path).read().strip() == "ok"
        targets.append({"target": "encode_into with a reused buffer allocates nothing per call (tests/alloc.rs)",
                        "ratio": None, "goal": "0 allocations", "met": ok,
                        "detail": "pixcodec::encode_into (registry path) for PNG, JPEG, TIFF and npy, after the first call on a thread" + ("" if ok else ": FAILED")})
    for t in extra_targets:
        hib = t.get("higher_is_better", True)
        target(t["target"], t["ratio"], t["goal"], t.get("detail", ""), hib)

    info = machine()
    json.dump({"machine": info, "rows": rows, "targets": targets}, open(os.path.join(d, "report.json"), "w"), indent=1)

    md = ["# pixcodec benchmark report", "",
          f"Machine: {info['cpu']}, {info['cores']} cores, {info['os']}; {info['rustc']}; Python {info['python']}.",
          "Rows come from the rows-*.json files present in this folder: `make bench` writes them all in one run, "
          "`make bench-ml` and `make bench-python` rewrite only their own (compare the files' times). "
          "MP/s = megapixels per second (median; see "
          "bench/rust/report.rs for the timing rule). pixcodec and the C ABI use every core for TIFF strips and for JPEG encodes and decodes of 512x512 and up; "
          "`-1thread` rows pin pixcodec to one thread; peers are single-threaded unless named `-2threads`.",
          f"Rows were timed in rounds (up to {rounds} here; codec rows BENCH_ROUNDS, Python rows "
          "BENCH_PY_ROUNDS), case by case: the rounds of the Rust, C ABI and peer drivers on one case run back to "
          "back (bench/rounds.py), the order of the three reversed every other round; each row is the tool's "
          "fastest round, `spread` is how much slower its slowest round was.", "",
          "## Targets", "", "| target | measured | goal | met | detail |", "|---|---|---|---|---|"]
    for t in targets:
        r = "" if t["ratio"] is None else f"{t['ratio']:.2f}x"
        md.append(f"| {t['target']} | {r} | {t['goal']} | {'yes' if t['met'] else '**no**'} | {t['detail']} |")
    md += ["", "## All rows", ""]
    for (f, o, img, v), tools in sorted(cases.items()):
        md.append(f"### {f} {o} {img} {v}")
        md.append("")
        md.append("| tool | MP/s | ms | bytes | vs pixcodec | spread |")
        md.append("|---|---:|---:|---:|---:|---:|")
        # The Python section's cases (python/bench/bench.py) have pixcodec-python instead.
        px = tools.get("pixcodec", tools.get("pixcodec-python", {})).get("mpix_s")
        for t, r in sorted(tools.items(), key=lambda kv: -kv[1]["mpix_s"]):
            rel = f"{r['mpix_s'] / px:.2f}x" if px else ""
            spread = f"{r['spread'] * 100:.0f}%" if r.get("rounds", 1) > 1 else ""
            md.append(f"| {t} | {r['mpix_s']:.1f} | {r['seconds'] * 1e3:.1f} | {r['bytes'] or ''} | {rel} | {spread} |")
        md.append("")
    open(os.path.join(d, "report.md"), "w").write("\n".join(md) + "\n")
    print("\n".join(md[: md.index("## All rows")]))


if __name__ == "__main__":
    main()
