"""An app server process warms what every request uses, then freezes it out of the garbage
collector's full passes (contactcovid.warmup, called by contactcovid/wsgi.py)."""

import gc
import os
import secrets
import subprocess
import sys

from django.conf import settings

from contactcovid import warmup
from fiches import pdf


def test_a_worker_loads_the_pdf_fonts_and_freezes_what_it_loaded():
    gc.unfreeze()
    pdf._renderer_state.clear()

    warmup.warm_then_freeze()

    assert pdf._renderer_state["fonts"] is not None
    assert gc.get_freeze_count() > 10_000
    gc.unfreeze()


def test_an_app_server_process_is_warm_and_frozen_once_the_wsgi_app_is_loaded(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "contactcovid.settings", "DEBUG": "false",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "localhost",
           "EMAIL_URL": "consolemail://", "STATIC_MANIFEST": "false",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    code = "import gc, contactcovid.wsgi; print(gc.get_freeze_count())"

    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR,  # noqa: S603
                          capture_output=True, text=True, timeout=60)  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 10_000
