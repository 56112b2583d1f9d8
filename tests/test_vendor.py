"""The CSS/JS we serve is exactly what vendor.lock.json pins (see scripts/vendor_static.py)."""

import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders

LOCK = json.loads((settings.BASE_DIR / "vendor.lock.json").read_text())


def test_every_vendored_file_has_the_sha256_recorded_in_the_lock():
    for name, package in LOCK.items():
        destination = settings.BASE_DIR / package["destination"]
        for target, entry in package["files"].items():
            content = (destination / target).read_bytes()
            assert hashlib.sha256(content).hexdigest() == entry["sha256"], f"{name}: {target}"


def test_static_vendor_holds_nothing_the_lock_does_not_list():
    listed = {
        settings.BASE_DIR / package["destination"] / target
        for package in LOCK.values()
        for target in package["files"]
    }
    on_disk = {path for path in (settings.BASE_DIR / "static/vendor").rglob("*") if path.is_file()}
    assert on_disk == listed


def test_every_package_is_pinned_to_a_registry_tarball_with_its_integrity():
    for package in LOCK.values():
        assert package["tarball"].startswith("https://registry.npmjs.org/")
        assert package["version"] in package["tarball"]
        assert package["integrity"].startswith("sha512-")
        assert package["license"]
        assert "LICENSE" in package["files"]


def test_the_layout_finds_bootstrap_among_our_own_static_files():
    for path in ("css/bootstrap.min.css", "js/bootstrap.bundle.min.js"):
        found = finders.find(f"vendor/bootstrap/{path}")
        assert found and str(found).startswith(str(settings.BASE_DIR / "static"))
