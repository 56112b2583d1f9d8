"""Our form renderer writes what Django's templates wrote (contactcovid.forms_renderer)."""

from datetime import date

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from contactcovid.forms_renderer import FormRenderer


class Everything(forms.Form):
    texte = forms.CharField(
        max_length=10, widget=forms.TextInput(attrs={"class": "a & b", "data-s": mark_safe("&")})
    )
    courriel = forms.EmailField(required=False)
    nombre = forms.IntegerField(min_value=0, widget=forms.NumberInput(attrs={"step": 2}))
    telephone = forms.CharField(widget=forms.TextInput(attrs={"type": "tel", "disabled": True}))
    mot_de_passe = forms.CharField(widget=forms.PasswordInput(render_value=True))
    cache = forms.CharField(widget=forms.HiddenInput)
    jour = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    accepte = forms.BooleanField(required=False)
    refuse = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"x": False}))
    choix = forms.ChoiceField(choices=[("a", "A <b>"), ("b", "B")])
    groupes = forms.ChoiceField(
        choices=[
            ("", "—"),
            ("Île <de> France", [("75", "Paris"), ("93", mark_safe("<i>93</i>"))]),
            ("2A", "Corse-du-Sud"),
        ],
        widget=forms.Select(attrs={"class": "form-select", "data-x": mark_safe("a&b")}),
    )
    plusieurs = forms.MultipleChoiceField(choices=[(1, "Un"), (2, "Deux")], required=False)
    radio = forms.ChoiceField(choices=[("1", "Un"), ("2", "Deux")], widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea)


DATA = {
    "texte": '"<script>"', "courriel": "a@b.fr", "nombre": "4", "telephone": "06 12",
    "mot_de_passe": "s3cr<t", "cache": "x'y", "jour": "2020-05-11", "accepte": "on",
    "choix": "b", "radio": "2", "note": "une & deux", "groupes": "93", "plusieurs": ["1", "2"],
}  # fmt: skip


@pytest.mark.parametrize("bound", [False, True])
def test_every_widget_renders_as_djangos_templates_render_it(bound):
    initial = {"jour": date(2020, 5, 11), "nombre": 3}
    ours = Everything(DATA if bound else None, initial=initial, renderer=FormRenderer())
    django = Everything(DATA if bound else None, initial=initial, renderer=TemplatesSetting())

    for field in ours:
        assert str(field).strip() == str(django[field.name]).strip(), field.name
        for n, radio in enumerate(field.subwidgets if field.name == "radio" else []):
            assert radio.tag().strip() == django[field.name].subwidgets[n].tag().strip()
