from django.conf import settings

from accounts import psc


def session(request):
    """The idle timeout, for the notice that offers "Rester connecté" before it ends."""
    return {"session_idle_timeout": settings.SESSION_IDLE_TIMEOUT, "psc_enabled": psc.enabled()}
