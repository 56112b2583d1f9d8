"""The form renderer: Django's, through TEMPLATES (so templates/django/forms wins), with the
plain `<input>` widgets written in Python.

An edit form renders ~20 widgets; each went through the template engine (a template, an
included one, a loop over its attributes: ~0.15 ms), a quarter of the page (issue 14,
`manage.py bench`). The markup below is Django's `input.html`'s, byte for byte apart from the
template's trailing newline (checked in contactcovid/tests/test_forms_renderer.py); every
other widget (selects, radios, text areas) keeps its template.
"""

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "number", "tel", "url", "password", "hidden",
                 "date", "datetime", "time", "search", "checkbox", "color")
)  # fmt: skip


def input_html(widget: dict) -> str:
    parts = [
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"'
    ]
    if widget["value"] is not None:
        parts.append(f' value="{conditional_escape(str(widget["value"]))}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(str(value))}"')
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308 — every value escaped above


class FormRenderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        if template_name in _INPUTS:
            return input_html(context["widget"])
        return super().render(template_name, context, request=request)
