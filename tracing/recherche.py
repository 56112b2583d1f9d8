"""Searches by identity never travel in a URL (issue 12): a NIR or a name typed in a search
would otherwise land in every access log, proxy log and browser history (`GET /?nir=1+10+03…`).

The search form is POSTed; its identity criteria are kept in the session under a random token
and the browser is redirected to `?r=<token>` (post/redirect/get): pages, reloads and « page
suivante » carry the token, never the criteria. The other parameters (statut, page size,
département, cursors) are not identity and stay in the URL. A URL typed with identity
criteria is turned into a token the same way, so that it at least leaves the address bar.
"""

import secrets

from django.http import QueryDict
from django.shortcuts import redirect

SESSION_KEY = "tracing.recherches"
PARAM = "r"
KEPT = 20  # the last searches of the session (back and forth between pages)
_LONGEST = 40
_CARRIED_MAX = 6
_NOT_CARRIED = {"csrfmiddlewaretoken", "soumission", "apres", "avant", "page", PARAM}


def search_data(request, identity: tuple[str, ...]):
    """The search's parameters (the URL's, with the criteria kept under its token) as a
    QueryDict, and a redirect to answer instead when criteria came in the request itself."""
    source = request.POST if request.method == "POST" else request.GET
    typed = {name: source.get(name, "") for name in identity if source.get(name, "")}
    if request.method == "POST" or typed:
        saved = request.session.get(SESSION_KEY, {})
        token = secrets.token_urlsafe(9)
        saved[token] = typed
        request.session[SESSION_KEY] = dict(list(saved.items())[-KEPT:])
        query = QueryDict(mutable=True)
        for name, values in source.lists():
            if len(query) >= _CARRIED_MAX:
                break
            if name not in identity and name not in _NOT_CARRIED and len(name) <= _LONGEST:
                # Short choices only (statut, page size): a redirect's URL stays far below
                # the 2,048 characters Django accepts, whatever was posted.
                query.setlist(name, [value for value in values if len(value) <= _LONGEST][:1])
        query[PARAM] = token
        return None, redirect(f"{request.path}?{query.urlencode()}")
    data = request.GET.copy()
    saved = request.session.get(SESSION_KEY, {})
    if data.get(PARAM, "") not in saved:
        data.pop(PARAM, None)  # an expired or unknown token: no search, not an empty one
    for name, value in saved.get(data.get(PARAM, ""), {}).items():
        data[name] = value
    return data, None
