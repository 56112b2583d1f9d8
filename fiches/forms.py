"""The doctor's forms for a patient zéro and a contact (the guide's four blocks each).

Fields are listed explicitly, never a server-owned one (statut, déclarant, brouillon…). Each
`clean_<field>` returns the domain value the services store. A draft ("Enregistrer en
brouillon") may leave the mandatory fields empty.
"""

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcovid.forms import SafeTextMixin
from fiches import identity
from fiches.models import (
    ArgumentDiagnostic,
    Collectivite,
    DestinataireResultats,
    Fiche,
    OuiNon,
    Situation,
    Symptomes,
)
from fiches.services import IDENTITY_FROM_REFERENTIEL, beneficiaire_for_nir

BLOCK_IDENTITE = ["nir", "nom", "prenom", "date_naissance", "telephone", "email", "voie",
                  "code_postal", "commune"]  # fmt: skip
BLOCK_CONTEXTE = ["situation", "symptomes", "argument_diagnostic"]
BLOCK_ENVIRONNEMENT = ["collectivite", "voyage", "accompagnement_social",
                       "prelevement_domicile", "soignant"]  # fmt: skip
BLOCK_IDENTITE_COMMUNIQUEE = ["accord_identite", "information_patient"]
BLOCK_RESULTAT = ["destinataire_resultats", "precisions"]
HOUSEHOLD_ADDRESS = ["voie", "code_postal", "commune"]

SELECT_EMPTY = [("", _("Sélectionnez"))]


def style_widgets(form):
    """Bootstrap classes on every widget (the templates render widgets as Django builds them)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IdentiteMixin:
    """A person's identity and coordinates, cleaned to the values the services store: the
    doctor's and platform's forms, and a laboratory system's Patient (api.forms)."""

    def clean_nir(self):
        return identity.normalize_nir(self.cleaned_data.get("nir", ""))

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
        # The services build and check the fiche; the form only checks what was typed.
        pass


class FicheForm(SafeTextMixin, IdentiteMixin, forms.ModelForm):
    """What both forms share; `brouillon=True` lets mandatory fields stay empty."""

    MANDATORY: tuple[str, ...] = ()
    BLOCKS: list[tuple[str, list[str]]] = []

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Typed with spaces, stored compact: longer than the column while typed.
    nir = forms.CharField(
        label=_("Numéro de sécurité sociale"),
        required=False,
        max_length=25,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    telephone = forms.CharField(
        label=_("Téléphone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    code_postal = forms.CharField(label=_("Code postal"), required=False, max_length=10)

    class Meta:
        model = Fiche
        fields: list[str] = []
        widgets = {
            "date_naissance": DateInput(),
            "situation": forms.Select(choices=SELECT_EMPTY + list(Situation.choices)),
            "symptomes": forms.RadioSelect(choices=Symptomes.choices),
            "argument_diagnostic": forms.Select(
                choices=SELECT_EMPTY + list(ArgumentDiagnostic.choices)
            ),
            "collectivite": forms.Select(choices=Collectivite.choices),
            "accord_identite": forms.RadioSelect(choices=OuiNon.choices),
            "destinataire_resultats": forms.Select(
                choices=SELECT_EMPTY + list(DestinataireResultats.choices)
            ),
            "precisions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, brouillon=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.brouillon = brouillon
        for name in self.MANDATORY:
            field = self.fields[name]
            field.required = not brouillon
            field.label = f"{field.label}*"
        # Radios without the "---------" choice: leaving them unticked means "not said".
        self.fields["symptomes"].choices = Symptomes.choices
        if "accord_identite" in self.fields:
            self.fields["accord_identite"].choices = OuiNon.choices
        self.fields["argument_diagnostic"].choices = SELECT_EMPTY + list(ArgumentDiagnostic.choices)
        self.fields["situation"].choices = SELECT_EMPTY + list(Situation.choices)
        if "destinataire_resultats" in self.fields:
            self.fields["destinataire_resultats"].choices = SELECT_EMPTY + list(
                DestinataireResultats.choices
            )
        self.fields["code_postal"].widget.attrs.update({"inputmode": "numeric"})
        self.beneficiaire = None
        style_widgets(self)

    def blocks(self):
        return [(title, [self[name] for name in names]) for title, names in self.BLOCKS]

    def clean(self):
        cleaned = super().clean()
        if self.brouillon and not any(cleaned.get(n) for n in ("nir", "nom", "prenom")):
            raise forms.ValidationError(
                _("Renseignez au moins le NIR, le nom ou le prénom pour retrouver le brouillon.")
            )
        return cleaned

    def domain_data(self):
        """The typed values, for `fiche_create` / `fiche_update`."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.beneficiaire is not None:
            for name in IDENTITY_FROM_REFERENTIEL:
                data.pop(name, None)
            data["nir"] = self.beneficiaire.nir
        return data


class PatientZeroForm(FicheForm):
    formulaire = "patient_zero"  # which form the person filled, sent back with it
    MANDATORY = ("nir", "nom", "prenom", "information_patient")
    BLOCKS = [
        (_("Informations du patient"), BLOCK_IDENTITE),
        (_("Contextes infections/symptômes"), BLOCK_CONTEXTE),
        (_("Éléments environnementaux"), BLOCK_ENVIRONNEMENT),
        (_("Communication de son identité"), BLOCK_IDENTITE_COMMUNIQUEE),
    ]

    class Meta(FicheForm.Meta):
        fields = BLOCK_IDENTITE + BLOCK_CONTEXTE + BLOCK_ENVIRONNEMENT + BLOCK_IDENTITE_COMMUNIQUEE

    def __init__(self, *args, lookup_referentiel=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.nir_error = ""
        self.fields["information_patient"].error_messages["required"] = _(
            "Cochez cette case : l'information du patient est obligatoire."
        )
        if lookup_referentiel:
            self.lock_identity_from_referentiel()

    def lock_identity_from_referentiel(self):
        """A NIR the référentiel knows fills nom, prénom and date de naissance, read-only."""
        source = self.data if self.is_bound else self.initial
        try:
            nir = identity.normalize_nir(source.get("nir", "") or "")
        except forms.ValidationError as error:
            if not self.is_bound:
                # "Rechercher l'assuré" shows the page as typed (unbound) with the NIR's own
                # error next to it, never "not known" for a mistyped key.
                self.nir_error = error.messages[0]
                self._errors = ErrorDict({"nir": self.error_class([self.nir_error])})
            return
        beneficiaire = beneficiaire_for_nir(nir)
        if beneficiaire is None:
            return
        self.beneficiaire = beneficiaire
        values = {
            "nir": identity.format_nir(beneficiaire.nir),
            "nom": beneficiaire.nom,
            "prenom": beneficiaire.prenom,
        }
        if beneficiaire.date_naissance:
            values["date_naissance"] = beneficiaire.date_naissance.isoformat()
        if self.is_bound:
            self.data = self.data.copy()
            self.data.update(values)
        else:
            self.initial.update(values)
        for name in values:
            self.fields[name].disabled = False
            self.fields[name].widget.attrs.update({"readonly": True, "aria-readonly": "true"})
            self.fields[name].help_text = _("Connu de l'Assurance Maladie : non modifiable.")


class ContactForm(FicheForm):
    formulaire = "contact"
    MANDATORY = ("nom", "prenom", "code_postal")
    BLOCKS = [
        (_("Informations personne contact"), [*BLOCK_IDENTITE, "meme_foyer"]),
        (_("Contextes infections/symptômes"), BLOCK_CONTEXTE),
        (_("Destinataire du résultat"), BLOCK_RESULTAT),
        (_("Éléments environnementaux"), BLOCK_ENVIRONNEMENT),
    ]

    class Meta(FicheForm.Meta):
        fields = [*BLOCK_IDENTITE, "meme_foyer", *BLOCK_CONTEXTE, *BLOCK_RESULTAT,
                  *BLOCK_ENVIRONNEMENT]  # fmt: skip

    def __init__(self, *args, origine=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code_postal"].label = _("Code postal/départ.*")
        self.fields["code_postal"].help_text = _("Code postal, ou département seul : 93, 2A, 971.")
        self.household = None
        if origine is not None:
            self.share_household_address(origine)

    def share_household_address(self, origine):
        """« Même foyer »: the patient zéro's address fills the address fields left empty. The
        page's script does it as the box is ticked; without JavaScript, the server does it on
        the posted form (so a required code postal left empty is not an error)."""
        household = {name: getattr(origine, name) for name in HOUSEHOLD_ADDRESS}
        self.household = household
        if not self.is_bound or self.data.get("meme_foyer") in (None, "", "off", "false"):
            return
        missing = {
            name: value
            for name, value in household.items()
            if value and not str(self.data.get(name, "")).strip()
        }
        if missing:
            self.data = self.data.copy()
            for name, value in missing.items():
                self.data[name] = value

    def clean_code_postal(self):
        return identity.normalize_code_postal(
            self.cleaned_data.get("code_postal", ""), departement_accepted=True
        )


class RechercheForm(SafeTextMixin, forms.Form):
    BROUILLONS = "brouillon"  # not a statut: the drafts, whatever their statut

    nir = forms.CharField(label=_("Nir"), required=False, max_length=21)
    nom = forms.CharField(label=_("Nom"), required=False, max_length=100)
    prenom = forms.CharField(label=_("Prénom"), required=False, max_length=100)
    statut = forms.ChoiceField(label=_("Statut"), required=False)
    par_page = forms.TypedChoiceField(
        label=_("Nb fiches/page"),
        required=False,
        coerce=int,
        choices=[(n, str(n)) for n in (10, 25, 50, 100)],
        empty_value=25,
        initial=25,
    )

    def __init__(self, *args, **kwargs):
        from fiches.statuses import Statut

        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = [
            ("", _("Sélectionnez un statut")),
            (self.BROUILLONS, _("Brouillons (à compléter)")),
            *Statut.choices,
        ]
        style_widgets(self)


# On a read-only page, the one label too long to be read as a label.
_SHORT_LABELS = {"information_patient": _("Patient informé du système d'information")}


def read_only_blocks(fiche: Fiche) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """Blocks 2 to 4 of the fiche's own form, as the doctor entered them, in the guide's order:
    (number, title, [(label, value)]). Block 1 (the identity) is the fiche page's header."""
    form_class = PatientZeroForm if fiche.is_patient_zero else ContactForm
    blocks = []
    for number, (title, names) in enumerate(form_class.BLOCKS[1:], start=2):
        rows = []
        for name in names:
            field = Fiche._meta.get_field(name)
            value = getattr(fiche, name)
            if field.choices:
                shown = getattr(fiche, f"get_{name}_display")() or _("Non renseigné")
            elif isinstance(value, bool):
                shown = _("Oui") if value else _("Non")
            else:
                shown = value or _("Non renseigné")
            rows.append((_SHORT_LABELS.get(name, field.verbose_name), shown))
        blocks.append((number, title, rows))
    return blocks


class ContactRapideForm(SafeTextMixin, forms.Form):
    """One line of « Saisie rapide »: the contact's minimum, checked as in the single form."""

    nom = forms.CharField(label=_("Nom"), max_length=100)
    prenom = forms.CharField(label=_("Prénom"), max_length=100)
    telephone = forms.CharField(label=_("Téléphone"), required=False, max_length=30)
    code_postal = forms.CharField(label=_("Code postal/départ."), required=False, max_length=10)
    meme_foyer = forms.BooleanField(label=_("Même foyer"), required=False)

    def __init__(self, *args, origine=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.origine = origine
        style_widgets(self)
        self.fields["telephone"].widget.attrs.update({"type": "tel", "autocomplete": "off"})

    def clean_telephone(self):
        return identity.normalize_phone(self.cleaned_data.get("telephone", ""))

    def clean_code_postal(self):
        return identity.normalize_code_postal(
            self.cleaned_data.get("code_postal", ""), departement_accepted=True
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("code_postal"):
            if data.get("meme_foyer") and self.origine is not None and self.origine.code_postal:
                pass  # the household's address, filled in domain_data
            else:
                self.add_error(
                    "code_postal",
                    _("Indiquez le code postal ou le département (ou cochez « Même foyer »)."),
                )
        return data

    def domain_data(self):
        data = {name: self.cleaned_data[name] for name in
                ("nom", "prenom", "telephone", "code_postal", "meme_foyer")}  # fmt: skip
        if data["meme_foyer"] and self.origine is not None:
            for name in HOUSEHOLD_ADDRESS:
                if not data.get(name):
                    data[name] = getattr(self.origine, name)
        return data


class BaseContactsRapidesFormSet(forms.BaseFormSet):
    def __init__(self, *args, origine=None, **kwargs):
        self.origine = origine
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "origine": self.origine}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
            use_required_attribute=False, origine=self.origine, renderer=self.renderer,
        )  # fmt: skip
        self.add_fields(form, None)
        return form

    def filled(self):
        """The lines typed (empty and removed lines aside)."""
        return [
            form for form in self.forms if form.has_changed() and not self._should_delete_form(form)
        ]


SAISIE_RAPIDE_MAX = 50
ContactsRapidesFormSet = forms.formset_factory(
    ContactRapideForm,
    formset=BaseContactsRapidesFormSet,
    extra=5,
    can_delete=True,
    max_num=SAISIE_RAPIDE_MAX,
    validate_max=True,
    absolute_max=SAISIE_RAPIDE_MAX,
)
