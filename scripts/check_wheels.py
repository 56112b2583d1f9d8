#!/usr/bin/env python3
"""Fail, with a clear message, when a lock file pins a package that has no wheel for this machine.

    python3 scripts/check_wheels.py requirements.lock requirements-dev.lock

A package published only as a source distribution is built on the installing machine: it needs a
compiler, build tools of the day, and it breaks when those change (XStatic-Bootstrap's setup.py
stopped building when setuptools dropped pkg_resources, and only a months-old wheel in our pip cache
hid it). So every install refuses source distributions (`--only-binary :all:`, written in the lock
files and passed by the Makefile), and this check says which package is at fault. It asks the
package index as a newcomer would: no pip cache, no machine-wide pip configuration.
Standard library only: it runs before any virtual environment exists.
"""

import os
import re
import subprocess
import sys

NO_WHEEL = re.compile(r"(?:satisfies the requirement|distribution found for) (\S+)")


def missing_wheel(lock: str) -> str | None:
    """The first pinned requirement of `lock` that pip cannot install from a wheel, or None."""
    environment = dict(os.environ, PIP_NO_CACHE_DIR="1", PIP_CONFIG_FILE=os.devnull)
    environment.pop("PIP_FIND_LINKS", None)
    command = "install --dry-run --quiet --disable-pip-version-check --ignore-installed --no-deps"
    command += " --only-binary :all: --require-hashes -r"
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "pip", *command.split(), lock],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if result.returncode == 0:
        return None
    found = NO_WHEEL.search(result.stderr)
    return found.group(1) if found else result.stderr.strip() or "pip failed"


def main(locks: list[str]) -> int:
    failed = False
    for lock in locks:
        package = missing_wheel(lock)
        if package is None:
            print(f"{lock}: every package installs from a wheel")
            continue
        failed = True
        print(
            f"{lock}: {package} has no wheel for this machine (Python "
            f"{sys.version_info.major}.{sys.version_info.minor}, {sys.platform}), or pip cannot "
            "reach the package index. A source distribution is never built here: pin a version "
            "that publishes a wheel, or replace the package (README, « Dependencies »).",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["requirements.lock", "requirements-dev.lock"]))
