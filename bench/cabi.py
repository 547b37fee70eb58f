"""The C ABI rows of `make bench`: runs bench/c_abi_bench (built against libpixcodec.so) on
every case of the manifest. Usage: python cabi.py DRIVER MANIFEST OUT.json"""

import json
import os
import subprocess
import sys

ONLY = os.environ.get("BENCH_ONLY")


def main():
    driver, manifest, out = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
    rows = []
    for case in manifest["cases"]:
        fmt, op, name, variant = case["format"], case["op"], case["image"], case["variant"]
        if ONLY and ONLY not in fmt:
            continue
        img = manifest["images"][name]
        if op == "decode":
            cmd = [driver, "decode", case["file"]]
        else:
            opts = [f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in case["opts"].items()]
            cmd = [driver, "encode", img["npy"], fmt] + opts
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"c-abi {fmt} {op} {name} {variant}: failed: {r.stderr.strip()}", file=sys.stderr)
            continue
        secs, size = r.stdout.split()
        secs = float(secs)
        mpix = img["width"] * img["height"] / 1e6
        print(f"{fmt:5} {op:6} {name:22} {variant:13} {'pixcodec-c-abi':20} {mpix / secs:8.1f} MP/s", file=sys.stderr)
        rows.append(dict(format=fmt, op=op, image=name, variant=variant, tool="pixcodec-c-abi", lang="c",
                         threads=os.cpu_count(), seconds=secs, mpix_s=mpix / secs, bytes=int(size), mpix=mpix))
    json.dump(rows, open(out, "w"), indent=1)


if __name__ == "__main__":
    main()
