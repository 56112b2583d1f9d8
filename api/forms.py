"""The person of a laboratory's result, checked with the screens' rules (issue 16): the FHIR
Patient is read into this form, so that a NIR, a phone, a postal code or a birth date are
refused with the same French messages as on the doctor's and the laboratory's screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contactcovid.forms import SafeTextMixin
from fiches.forms import IdentiteMixin
from fiches.models import Fiche
from fiches.services_tracing import PERSONNE_FIELDS


class PersonneForm(SafeTextMixin, IdentiteMixin, forms.ModelForm):
    class Meta:
        model = Fiche
        fields = PERSONNE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nom"].required = True
        self.fields["prenom"].required = True
        self.fields["nom"].error_messages["required"] = _("Le nom est obligatoire.")
        self.fields["prenom"].error_messages["required"] = _("Le prénom est obligatoire.")

    def clean_nir(self):
        nir = super().clean_nir()
        if nir and len(nir) != 15:
            raise forms.ValidationError(
                _("L'INS-NIR comporte 15 caractères, clé comprise."), code="nir_format"
            )
        return nir
