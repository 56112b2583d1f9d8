"""What every form of the service shares.

`SafeTextMixin`: no text field accepts invisible control or formatting characters. A right-to-left
override (U+202E) makes "exe.fdp" read as "pdf.exe" and a name read differently from what is
stored; control characters (\\x01, \\x7f…) break exports and letters. Tabs and line breaks stay
allowed (multi-line notes). The message is French and sits next to the field; what was typed is
kept in the form.
"""

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
