"""The account's previous sign-in, kept in the session it opened: what « depuis votre dernière
connexion » counts from. Set by the sign-in page only (other ways in show no news)."""

from datetime import datetime

SESSION_KEY = "accounts.visite_precedente"


def remember_previous_sign_in(request, previous: datetime | None) -> None:
    request.session[SESSION_KEY] = previous.isoformat() if previous else ""


def previous_sign_in(request) -> datetime | None:
    value = request.session.get(SESSION_KEY) or ""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
