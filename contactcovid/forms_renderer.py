"""The form renderer: Django's, through TEMPLATES (so templates/django/forms wins), with the
plain `<input>` widgets and the `<select>`s written in Python.

An edit form renders ~20 widgets; each went through the template engine (a template, an
included one, a loop over its attributes, one more template per option: ~0.15 ms an input,
~0.5 ms a select of 14 statuses), a quarter of the page (issue 14, `manage.py bench`). The
markup below is Django's templates', character for character apart from a template file's
trailing newline (contactcovid/tests: tests/test_forms_renderer.py compares both); radios,
checkboxes lists and text areas keep their templates.

Escaping follows the templates exactly: `{{ x }}` is `conditional_escape(x)` (a safe string
stays as it is), `{{ x|stringformat:'s' }}` turns x into text, escaped unless x was safe.
"""

from html import escape

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "number", "tel", "url", "password", "hidden",
                 "date", "datetime", "time", "search", "checkbox", "color")
)  # fmt: skip
_SELECTS = frozenset({"django/forms/widgets/select.html"})


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it was marked safe
    (the filter keeps safeness)."""
    text = "%s" % (value,)  # noqa: UP031 — stringformat's own operation
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{_formatted(value)}"')
    return "".join(parts)


def input_html(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return mark_safe(  # noqa: S308 — every value escaped
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def select_html(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 — every value escaped


class FormRenderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        if template_name in _INPUTS:
            return input_html(context["widget"])
        if template_name in _SELECTS:
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)
