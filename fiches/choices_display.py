"""`get_<field>_display()` without rebuilding the choices on each call.

Django's `Model._get_FIELD_display` turns the field's whole list of choices into a dict on
every call (~80 µs for the 14 statuses, each label translated); a fiche's page calls it some
fifty times (its history, its calls, its samples), a list once a row (issue 14). The dict is
built once per field here; its labels stay lazy, so each call still answers in the current
language. Same result as Django's for any value, known or not.
"""

from functools import cache

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@cache
def _choices(field) -> dict:
    return dict(make_hashable(field.flatchoices))


class ChoicesDisplay:
    """Mixed into a model before `models.Model`."""

    def _get_FIELD_display(self, field):  # noqa: N802 — Django's name
        value = getattr(self, field.attname)
        return force_str(_choices(field).get(make_hashable(value), value), strings_only=True)
