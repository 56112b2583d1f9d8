"""« Sessions ouvertes » (issue 15, 4): the account's signed-in sessions, listed in Gestion de
compte, the others ended on request. A row per sign-in (SessionOuverte) found again through an
id kept in the session's own data; a row whose session is gone (expired, signed out, ended) is
dropped when the list is read, and the retention job drops the old ones."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.models import SecurityEvent, SessionOuverte

SESSION_KEY = "accounts.session_ouverte"


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@receiver(user_logged_in)
def remember(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    row = SessionOuverte.objects.create(
        user=user,
        cle=request.session.session_key,
        ip=request.META.get("REMOTE_ADDR") or None,
        navigateur=request.META.get("HTTP_USER_AGENT", "")[:200],
    )
    request.session[SESSION_KEY] = row.pk


@receiver(user_logged_out)
def forget(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        SessionOuverte.objects.filter(pk=request.session.get(SESSION_KEY)).delete()


def of(request) -> list[SessionOuverte]:
    """The account's open sessions, this one first (its row follows a new key)."""
    current_pk = request.session.get(SESSION_KEY)
    store = _store()()
    rows = []
    for row in SessionOuverte.objects.filter(user=request.user):
        if row.pk == current_pk:
            if row.cle != request.session.session_key:
                row.cle = request.session.session_key
                row.save(update_fields=["cle"])
            row.courante = True
        elif store.exists(row.cle):
            row.courante = False
        else:
            row.delete()
            continue
        rows.append(row)
    return sorted(rows, key=lambda row: not row.courante)


def end_others(request, *, ip=None) -> int:
    """Sign the account out everywhere else: the other sessions are deleted from the store."""
    from accounts.services import record_event

    others = SessionOuverte.objects.filter(user=request.user).exclude(
        pk=request.session.get(SESSION_KEY)
    )
    ended = 0
    for row in others:
        _store()(session_key=row.cle).delete()
        row.delete()
        ended += 1
    record_event(user=request.user, action=SecurityEvent.Action.OTHER_SESSIONS_ENDED, ip=ip,
                 detail=f"{ended} session(s)")  # fmt: skip
    return ended
