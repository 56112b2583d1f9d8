"""The person of a laboratory's result, checked with the screens' rules (issue 16): the FHIR
Patient is read into this form, so that a NIR, a phone, a postal code or a birth date are
refused with the same French messages as on the doctor's and the laboratory's screens."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcovid.forms import SafeTextMixin
from fiches import identity
from fiches.models import Fiche
from fiches.services_tracing import PERSONNE_FIELDS


class PersonneForm(SafeTextMixin, forms.ModelForm):
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
        nir = identity.normalize_nir(self.cleaned_data.get("nir", ""))
        if nir and len(nir) != 15:
            raise forms.ValidationError(
                _("L'INS-NIR comporte 15 caractères, clé comprise."), code="nir_format"
            )
        return nir

    def clean_telephone(self):
        return identity.normalize_phone(self.cleaned_data.get("telephone", ""))

    def clean_code_postal(self):
        return identity.normalize_code_postal(self.cleaned_data.get("code_postal", ""))

    def clean_date_naissance(self):
        value = self.cleaned_data.get("date_naissance")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("La date de naissance ne peut pas être dans le futur."))
        if value and value.year < 1900:
            raise forms.ValidationError(_("Date de naissance invalide."))
        return value

    def _post_clean(self):
        # The services build and check the fiche; the form only checks what was sent.
        pass
