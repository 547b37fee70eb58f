"""Runs the timed rounds of `make bench` case by case: for each case of the manifest, the Rust
driver, the C ABI driver and the Python peers are timed BENCH_ROUNDS times each, back to back,
the order of the three reversed every other round. So every comparison in the report is made
within the same half minute of machine time, instead of whole-suite rounds minutes apart (on the
shared 2-core VM single rows drift 30-60% over minutes, which decided ties between tools that
call the same C library).

Each driver runs in a fresh process per case and round (the drivers time one warm-up call
before their timed calls). Writes rows-rust-rN.json, rows-cabi-rN.json, rows-peers-rN.json
into OUT_DIR, the files bench/report.py reads.

Usage: python rounds.py MANIFEST ROUNDS OUT_DIR CARGO_MESSAGES C_DRIVER, where CARGO_MESSAGES is
the output of `cargo bench --bench report --no-run --message-format=json` (it names the built
Rust driver).
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ONLY = os.environ.get("BENCH_ONLY")


def run_side(side, cmd_for, case_manifest, out):
    """Runs one driver on one case; returns its rows (empty if it wrote none)."""
    subprocess.run(cmd_for[side](case_manifest, out), check=True)
    rows = json.load(open(out))
    os.remove(out)
    return rows


def rust_executable(cargo_messages):
    """The path of the `report` bench binary in cargo's JSON build messages."""
    for line in open(cargo_messages):
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "report" and msg.get("executable"):
            return msg["executable"]
    sys.exit(f"{cargo_messages}: cargo built no `report` bench executable")


def main():
    manifest_path, rounds, out_dir, cargo_messages, c_driver = sys.argv[1:6]
    rust_driver = rust_executable(cargo_messages)
    rounds = int(rounds)
    manifest = json.load(open(manifest_path))
    py = sys.executable
    cmd_for = {
        "rust": lambda m, o: [rust_driver, m, o],
        "cabi": lambda m, o: [py, os.path.join(HERE, "cabi.py"), c_driver, m, o],
        "peers": lambda m, o: [py, os.path.join(HERE, "peers.py"), m, o],
    }
    sides = ["rust", "cabi", "peers"]
    rows = {(side, r): [] for side in sides for r in range(1, rounds + 1)}
    cases = [c for c in manifest["cases"] if not (ONLY and ONLY not in c["format"])]
    with tempfile.TemporaryDirectory() as tmp:
        case_manifest = os.path.join(tmp, "case.json")
        out = os.path.join(tmp, "rows.json")
        for i, case in enumerate(cases, 1):
            print(f"== case {i} of {len(cases)}: {case['format']} {case['op']} {case['image']} "
                  f"{case['variant']}", file=sys.stderr, flush=True)
            json.dump({"images": manifest["images"], "cases": [case]}, open(case_manifest, "w"))
            for r in range(1, rounds + 1):
                for side in sides if r % 2 == 1 else sides[::-1]:
                    rows[(side, r)] += run_side(side, cmd_for, case_manifest, out)
    for (side, r), got in rows.items():
        json.dump(got, open(os.path.join(out_dir, f"rows-{side}-r{r}.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
