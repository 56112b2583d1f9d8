"""Refuse to serve without a SECRET_KEY or an EMAIL_URL (with DEBUG off, the settings leave them
empty rather than guess: a guessed key is a shared secret, a guessed mail backend the console,
that is a server log full of reset links and patients' forms)."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

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


NO_EMAIL_MESSAGE = (
    "EMAIL_URL is not set. With DEBUG off, Contact COVID refuses to start without it (e-mails "
    "are never printed in a server log): set EMAIL_URL, e.g. smtp+tls://user:password@host:587 "
    "(see README.md), or set DEBUG=true for local development."
)


def _missing_settings():
    missing = []
    if not _has_secret_key():
        missing.append(NO_KEY_MESSAGE)
    if not settings.EMAIL_URL:
        missing.append(NO_EMAIL_MESSAGE)
    return missing


def require_production_settings():
    """Called by wsgi.py, asgi.py and the worker: nothing serves without a key and a mailer."""
    if missing := _missing_settings():
        raise ImproperlyConfigured(" ".join(missing))


class NoEmailUrlBackend(BaseEmailBackend):
    """The backend without EMAIL_URL (DEBUG off): it refuses, so that jobs.mail keeps the mail
    queued and retries, and nothing is ever written to a log instead."""

    def send_messages(self, email_messages):
        raise ImproperlyConfigured(NO_EMAIL_MESSAGE)


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if not _has_secret_key():
        return [checks.Error(NO_KEY_MESSAGE, id="contactcovid.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def email_url_is_set(app_configs, **kwargs):
    if not settings.EMAIL_URL:
        return [checks.Error(NO_EMAIL_MESSAGE, id="contactcovid.E002")]
    return []
