"""What `make` installs: hash-pinned wheels, the app alone on a server, the same versions in dev."""

import re
import tomllib

from django.conf import settings

PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+) \\$", re.MULTILINE)
DEV_ONLY = {"pytest", "pytest-django", "pytest-env", "playwright", "ruff", "pip-tools"}


def read(name):
    return (settings.BASE_DIR / name).read_text()


def pins(name):
    return {package.lower(): version for package, version in PIN.findall(read(name))}


def test_both_locks_refuse_source_distributions_and_pin_every_package_with_its_hash():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        text = read(lock)
        assert re.search(r"^--only-binary :all:$", text, re.MULTILINE), lock
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[1])
        for entry in entries:
            assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]}"
            assert PIN.match(entry.splitlines()[0]), f"{lock}: {entry.splitlines()[0]}"


def test_the_app_lock_holds_what_runs_the_app_and_no_dev_tool():
    app = pins("requirements.lock")
    assert {"django", "gunicorn", "whitenoise", "psycopg", "weasyprint"} <= set(app)
    assert not DEV_ONLY & set(app)
    assert "xstatic-bootstrap" not in app


def test_the_dev_lock_has_the_app_lock_versions_and_the_dev_tools():
    app, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {package: dev.get(package) for package in app} == app
    assert set(dev) >= DEV_ONLY


def test_every_declared_dependency_is_locked():
    project = tomllib.loads(read("pyproject.toml"))["project"]
    name = re.compile(r"^[A-Za-z0-9._-]+")

    def declared(requirements):
        return {name.match(r).group(0).lower().replace("_", "-") for r in requirements}

    assert declared(project["dependencies"]) <= set(pins("requirements.lock"))
    assert declared(project["optional-dependencies"]["dev"]) <= set(pins("requirements-dev.lock"))


def test_make_installs_wheels_only_and_ci_installs_without_a_cache():
    makefile, ci = read("Makefile"), read(".ci/run")
    assert "--require-hashes --only-binary :all:" in makefile
    assert "PIP_NO_CACHE_DIR=1" in ci
    assert "scripts/check_wheels.py" in ci
