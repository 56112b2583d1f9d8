"""The faster `date` filter (tracing.templatetags.dates) writes what Django's wrote."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Engine, Template
from django.template.defaultfilters import date as django_date
from django.utils import timezone

FORMATS = ["d/m/Y", "d/m/Y H:i", "d/m/Y à H:i", "H:i", "j F Y", "d/m/Y - H:i"]
VALUES = [
    datetime(2020, 5, 11, 22, 30, tzinfo=UTC),  # the next day in Paris
    datetime(2020, 12, 31, 23, 5, 7, tzinfo=UTC),
    date(1987, 3, 4),
    None,
    "",
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("value", VALUES)
def test_our_pages_date_filter_writes_what_djangos_wrote(fmt, value):
    template = Template(f'{{{{ value|date:"{fmt}" }}}}')
    with timezone.override("Europe/Paris"):
        local = timezone.localtime(value) if isinstance(value, datetime) else value
        try:
            expected = django_date(local, fmt)
        except TypeError:  # a time format for a date: Django refuses, and so do we
            with pytest.raises(TypeError):
                template.render(Context({"value": value}))
            return

    assert template.render(Context({"value": value})) == expected


def test_the_project_templates_use_our_date_filter():
    from tracing.templatetags import dates

    assert Engine.get_default().template_builtins[-1].filters["date"] is dates.date


def test_a_datetime_is_shown_in_the_french_time_zone():
    value = datetime(2020, 5, 11, 22, 30, tzinfo=UTC)

    assert Template('{{ v|date:"d/m/Y H:i" }}').render(Context({"v": value})) == "12/05/2020 00:30"
