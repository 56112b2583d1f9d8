from django.conf import settings


def session(request):
    """The idle timeout, for the notice that offers "Rester connecté" before it ends."""
    return {"session_idle_timeout": settings.SESSION_IDLE_TIMEOUT}
