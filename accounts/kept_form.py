"""A form posted after the session expired is not lost.

The middleware that ends the session keeps what was posted (never a password) in the browser's
new, anonymous session, with the account it was typed under and the page it was posted to. Once
the same account signs in again in that browser, `accounts:reprendre` gives it back, to be sent
again to the same page: the page's own view re-validates it as that account. Signing in as
another account discards it: nothing typed by one account is ever saved under another.
"""

import time

from contactcovid.forms import posted_fields

SESSION_KEY = "accounts.formulaire_conserve"
KEPT_SECONDS = 2 * 60 * 60


def keep(request, *, user_id, path) -> bool:
    """Call after the expired session was ended: True when there was something to keep."""
    fields = posted_fields(request)
    if not any(value for name, value in fields if name not in ("soumission", "version")):
        return False
    request.session[SESSION_KEY] = {
        "user": user_id,
        "path": path,
        "fields": fields,
        "at": time.time(),
    }
    return True


def pending(request, user):
    """The form kept for `user` in this browser, or None (and another account's is dropped)."""
    kept = request.session.get(SESSION_KEY)
    if not kept:
        return None
    if kept.get("user") != user.pk or time.time() - kept.get("at", 0) > KEPT_SECONDS:
        discard(request)
        return None
    return kept


def discard(request) -> None:
    request.session.pop(SESSION_KEY, None)
