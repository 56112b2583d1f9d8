"""Every word a person reads is French (issue 17 § 8): the admin's pages, the audit journal's
actions, the ARS export's header and values. Codes stay in the data, never on the screen."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from fiches.audit import audit_log
from fiches.tests.factories import FicheFactory

pytestmark = pytest.mark.django_db

# English words that a French page of ours must not show (as whole words, case aside).
ENGLISH = ["content type", "contact tracing", "object id", "created at", "updated at",
           "token", "secret hash", "digest", "status code", "user", "username", "name",
           "email address", "password", "enabled", "confirmed", "throttling", "key", "drift",
           "last t", "task", "queue", "priority", "backend", "run after", "enqueued",
           "finished", "worker", "args", "kwargs", "return value", "traceback",
           "device", "none"]  # fmt: skip


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<![\w@.-]){re.escape(w)}(?![\w@.-])", text, re.I)]


def test_every_admin_page_is_in_french(client, administrateur):
    fiche = FicheFactory(declarant=administrateur)
    audit_log(actor=administrateur, action="fiche.viewed", obj=fiche)
    client.force_login(administrateur)
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        for view in ("changelist", "add"):
            try:
                pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
            except NoReverseMatch:
                continue
        pages.append(reverse("admin:app_list", args=[opts.app_label]))
        first = model._default_manager.order_by("pk").first()
        if first is not None:  # one object's own page, of every kind there is one of
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                 args=[first.pk]))  # fmt: skip
    found = {}
    for url in sorted(set(pages)):
        response = client.get(url)
        if response.status_code != 200:
            continue
        words = english_words(visible_text(response.content.decode()))
        if words:
            found[url] = words
    assert found == {}


def test_the_audit_journal_names_each_action_in_words(client, administrateur):
    fiche = FicheFactory(declarant=administrateur)
    audit_log(actor=administrateur, action="fiche.masks_delivered", obj=fiche)
    client.force_login(administrateur)

    text = visible_text(client.get(reverse("admin:fiches_auditlog_changelist")).content.decode())

    assert "Masques délivrés" in text
    assert "fiche.masks_delivered" not in text
