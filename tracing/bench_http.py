"""What the benchmark suite (`manage.py bench`) needs to act as a browser: a signed-in session's
cookies, the fields of a page's form as a browser would post them, and a request sent through
the project's WSGI application itself (every middleware, the handler's signals), in process.

Not used by the service; the load generator (`tracing.charge`) sends the same requests over
HTTP to gunicorn.
"""

import io
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

HOST = "localhost"


def signed_in_cookies(user) -> dict[str, str]:
    """A new session for `user`, through the configured session engine (as a sign-in leaves
    it), and a CSRF secret: the cookies a browser would send."""
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: _get_new_csrf_string(),
    }


class FormFields(HTMLParser):
    """The name/value pairs a browser posts for the first `<form method="post">` holding
    `marker` (a field's name): text inputs, hidden inputs, checked boxes, selected options,
    text areas. Buttons are left to the caller (the action it clicks)."""

    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.fields, self.current = marker, [], None
        self._select = self._textarea = None
        self._found = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self._found and (a.get("method") or "").lower() == "post":
            self.current = []
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.current.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if tag == "select" and self._select is not None:
            name, first, chosen = self._select
            self.current.append((name, chosen if chosen is not None else first or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.current.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            if any(name == self.marker for name, _ in self.current):
                self.fields, self._found = self.current, True
            self.current = None


def form_fields(html: str, marker: str) -> list[tuple[str, str]]:
    parser = FormFields(marker)
    parser.feed(html)
    return parser.fields


@dataclass
class Reponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class WsgiBrowser:
    """Requests through `contactcovid.wsgi`'s handler, with a session's cookies kept."""

    cookies: dict[str, str] = field(default_factory=dict)
    handler: WSGIHandler = field(default_factory=WSGIHandler)

    def get(self, path: str, query: dict | None = None) -> Reponse:
        return self.request("GET", path, query=query)

    def post(self, path: str, data=None) -> Reponse:
        return self.request("POST", path, data=data or {})

    def request(self, method, path, query=None, data=None) -> Reponse:
        body = urlencode(data or {}, doseq=True).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(query or {}, doseq=True),
            "SERVER_NAME": HOST,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": HOST,
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if method == "POST":
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["HTTP_ORIGIN"] = f"https://{HOST}"
            environ["HTTP_X_CSRFTOKEN"] = self.cookies.get(settings.CSRF_COOKIE_NAME, "")
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = int(status.split()[0]), headers

        # Inside a transaction (a test's), the handler's signals would close the connection
        # under it, as Django's test client knows: leave it alone there, as the client does.
        keep = connection.in_atomic_block
        if keep:
            signals.request_started.disconnect(close_old_connections)
            signals.request_finished.disconnect(close_old_connections)
        try:
            result = self.handler(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()  # request_finished: what a server does after a response
        finally:
            if keep:
                signals.request_started.connect(close_old_connections)
                signals.request_finished.connect(close_old_connections)
        for name, value in started["headers"]:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    if morsel.value:
                        self.cookies[key] = morsel.value
                    else:
                        self.cookies.pop(key, None)
        return Reponse(started["status"], started["headers"], content)
