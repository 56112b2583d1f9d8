"""Refuse to serve without a SECRET_KEY (with DEBUG off, the settings leave it empty)."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

NO_KEY_MESSAGE = (
    "SECRET_KEY is not set. With DEBUG off, Contact COVID refuses to start without it: "
    "set SECRET_KEY in the environment or in .env (see README.md), "
    "or set DEBUG=true for local development."
)


def _has_secret_key():
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        return False


def require_secret_key():
    """Called by wsgi.py and asgi.py: the application servers do not start without a key."""
    if not _has_secret_key():
        raise ImproperlyConfigured(NO_KEY_MESSAGE)


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if not _has_secret_key():
        return [checks.Error(NO_KEY_MESSAGE, id="contactcovid.E001")]
    return []
