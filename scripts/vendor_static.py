#!/usr/bin/env python3
"""Fetch the CSS/JS we serve from the npm registry, check it, and write it under static/vendor/.

    python3 scripts/vendor_static.py          # (re)write the files listed in vendor.lock.json
    python3 scripts/vendor_static.py --check  # fetch again and compare with the committed files

`vendor.lock.json` pins each package: version, tarball address, the registry's `integrity`
(SHA-512 of the tarball, as in an npm package-lock) and the SHA-256 of every file taken from it.
The files are committed, so installing the app needs neither Node nor the network; this script
only runs when someone upgrades a package (edit version, tarball and integrity, then run it).
`tests/test_vendor.py` checks the committed files against the SHA-256 recorded here.
Standard library only: it must run before any virtual environment exists.
"""

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "vendor.lock.json"


def fetch(package: dict) -> tarfile.TarFile:
    with urllib.request.urlopen(package["tarball"], timeout=60) as response:  # noqa: S310
        data = response.read()
    algorithm, _, expected = package["integrity"].partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        sys.exit(f"{package['tarball']}: integrity mismatch ({algorithm}-{actual})")
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only, write nothing")
    check = parser.parse_args().check
    lock = json.loads(LOCK.read_text())
    differences = 0
    for name, package in lock.items():
        archive = fetch(package)
        destination = ROOT / package["destination"]
        for target, entry in package["files"].items():
            member = archive.extractfile(f"package/{entry['from']}")
            if member is None:
                sys.exit(f"{name}: {entry['from']} is not a file of the tarball")
            content = member.read()
            digest = hashlib.sha256(content).hexdigest()
            path = destination / target
            if check:
                on_disk = path.read_bytes() if path.exists() else b""
                if hashlib.sha256(on_disk).hexdigest() != digest or entry["sha256"] != digest:
                    print(f"{name}: {path.relative_to(ROOT)} differs from {package['tarball']}")
                    differences += 1
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            entry["sha256"] = digest
            print(f"{name} {package['version']}: {path.relative_to(ROOT)} {digest[:16]}…")
    if not check:
        LOCK.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n")
    elif not differences:
        print("vendored files match their registry tarballs")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
