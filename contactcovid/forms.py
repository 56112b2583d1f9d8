"""What every form of the service shares.

`SafeTextMixin`: no text field accepts invisible control or formatting characters. A right-to-left
override (U+202E) makes "exe.fdp" read as "pdf.exe" and a name read differently from what is
stored; control characters (\\x01, \\x7f…) break exports and letters. Tabs and line breaks stay
allowed (multi-line notes). The message is French and sits next to the field; what was typed is
kept in the form.
"""

import functools
import importlib
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

INVISIBLE_MESSAGE = _(
    "Ce champ contient un caractère invisible ou de contrôle (par exemple un caractère de "
    "direction du texte, copié depuis un autre logiciel) : retirez-le, puis validez de nouveau."
)
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def has_invisible_characters(value: str) -> bool:
    """True when `value` holds a control (Cc), format (Cf: bidi overrides, zero-width…) or
    surrogate (Cs) character, other than tab and line breaks."""
    return any(
        unicodedata.category(char) in ("Cc", "Cf", "Cs") and char not in _ALLOWED_CONTROLS
        for char in value
    )


class SafeTextMixin:
    """Refuses invisible characters in every text field of the form, as typed (before any
    `clean_<field>` normalises it)."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or field.disabled:
                continue
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            values = raw if isinstance(raw, list | tuple) else [raw]
            if any(isinstance(v, str) and has_invisible_characters(v) for v in values):
                self.add_error(name, INVISIBLE_MESSAGE)


# Never written back into a page nor kept: passwords and the form's own tokens.
_NOT_KEPT = ("password", "mot_de_passe", "csrfmiddlewaretoken")


@functools.cache
def field_labels():
    """Field name → the label its form shows ("prenom" → "Prénom"), from our forms' classes."""
    labels = {}
    for module in ("accounts.forms", "fiches.forms", "tracing.forms"):
        for form in vars(importlib.import_module(module)).values():
            if isinstance(form, type) and issubclass(form, forms.BaseForm):
                for name, field in form.base_fields.items():
                    if field.label:
                        labels.setdefault(name, str(field.label).rstrip(" *"))
    return labels


def posted_fields(request) -> list[tuple[str, str]]:
    """What a person posted, as (name, value) pairs in order, to give back or keep: never a
    password or a token. [] for anything but a readable POST."""
    if request.method != "POST":
        return []
    try:
        posted = request.POST
    except Exception:  # noqa: BLE001 (a body we cannot parse has nothing to give back)
        return []
    return [
        (name, value)
        for name, values in posted.lists()
        if not any(secret in name for secret in _NOT_KEPT)
        for value in values
    ]


# Sent back with the form, but nothing a person typed: not shown.
_TECHNICAL = {"soumission", "version", "formulaire", "action", "next"}


def labelled(fields) -> list[dict]:
    """(name, value) pairs with their labels, for a page that shows what a person typed."""
    labels = field_labels()
    return [
        {"name": name, "label": labels.get(name, name.replace("_", " ")), "value": value}
        for name, value in fields
        if value and name not in _TECHNICAL
    ]
