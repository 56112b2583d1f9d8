"""Forms of the platforms', laboratories', pharmacies' and ARS screens (issue 5). Each lists
its fields; none exposes a statut or any server-owned field."""

from datetime import UTC, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactcovid.forms import SafeTextMixin
from fiches import identity
from fiches.forms import DateInput, style_widgets
from fiches.models import Collectivite
from fiches.models_tracing import Appel, Prelevement
from fiches.selectors_tracing import QUEUE_STATUSES
from fiches.statuses import Statut
from tracing.models import Cluster


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class _Styled:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class FileFiltreForm(SafeTextMixin, _Styled, forms.Form):
    departement = forms.ChoiceField(label=_("Département"), required=False)
    statut = forms.ChoiceField(label=_("Statut"), required=False)

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", _("Tous")), *[(d, d) for d in departements]]
        labels = {Statut.DIAGNOSTIC_CONFIRME: _("Patient zéro à appeler")}
        self.fields["statut"].choices = [
            ("", _("Tous")),
            *[(s.value, labels.get(s, s.label)) for s in QUEUE_STATUSES],
        ]


class VersionField(forms.IntegerField):
    """The version of the row the form was shown with (hidden); a missing or tampered one reads
    as 0, which no row has: the write is then refused as stale, never applied blindly."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value) or 0
        except ValidationError:
            return 0


class AppelForm(SafeTextMixin, _Styled, forms.Form):
    version = VersionField()
    issue = forms.ChoiceField(
        label=_("Issue de l'appel"), choices=Appel.Issue.choices, widget=forms.RadioSelect
    )
    rappel_le = forms.DateTimeField(
        label=_("À rappeler le (si pas de réponse)"), required=False, widget=DateTimeInput()
    )
    consigne_masque = forms.BooleanField(label=_("Consigne : masque"), required=False)
    consigne_test = forms.BooleanField(label=_("Consigne : test RT-PCR"), required=False)
    consigne_isolement = forms.BooleanField(
        label=_("Consigne : isolement / quatorzaine"), required=False
    )
    date_dernier_contact = forms.DateField(
        label=_("Date du dernier contact avec le patient zéro"),
        required=False,
        widget=DateInput(),
        help_text=_("La quatorzaine se termine 14 jours après le dernier contact."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_rappel_le(self):
        """A recall within the coming year (a time zone may push a typed date out of what a
        datetime can hold: refused the same way)."""
        value = self.cleaned_data.get("rappel_le")
        if value is None:
            return value
        try:
            too_far = value.astimezone(UTC) > timezone.now() + timedelta(days=365)
        except OverflowError:
            too_far = True
        if too_far:
            raise ValidationError(_("Le rappel doit être prévu dans l'année qui vient."))
        return value

    def clean_date_dernier_contact(self):
        value = self.cleaned_data.get("date_dernier_contact")
        if value and value > timezone.localdate():
            raise ValidationError(_("La date du dernier contact ne peut pas être dans le futur."))
        return value


class ApresAppelForm(SafeTextMixin, forms.Form):
    """Where the agent goes once the call is recorded (their choice, remembered)."""

    SUIVANTE = "suivante"
    FILE = "file"
    apres = forms.ChoiceField(
        label=_("Après l'enregistrement"),
        choices=[(SUIVANTE, _("Fiche suivante")), (FILE, _("Retour à la file"))],
        widget=forms.RadioSelect,
        required=False,
    )


class MemePersonneForm(SafeTextMixin, forms.Form):
    autre = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class RappelForm(SafeTextMixin, _Styled, forms.Form):
    """Move a planned recall."""

    version = VersionField()
    rappel_le = forms.DateTimeField(label=_("Nouveau rappel le"), widget=DateTimeInput())

    clean_rappel_le = AppelForm.clean_rappel_le


class RecherchePlateformeForm(SafeTextMixin, _Styled, forms.Form):
    """An inbound call-back: find the person by NIR (or its first digits), nom and prénom (their
    start), or phone. Prefix or exact only."""

    MIN_PREFIX = 2

    nir = forms.CharField(label=_("NIR ou ses premiers chiffres"), required=False, max_length=21)
    nom = forms.CharField(label=_("Nom (début)"), required=False, max_length=100)
    prenom = forms.CharField(label=_("Prénom (début)"), required=False, max_length=100)
    telephone = forms.CharField(label=_("Téléphone"), required=False, max_length=30)

    def clean_nir(self):
        value = identity.ascii_form(self.cleaned_data.get("nir", ""))
        compact = "".join(value.split()).replace(".", "").replace("-", "").upper()
        if not compact:
            return ""
        if len(compact) == 15:
            return identity.normalize_nir(compact)
        if not (5 <= len(compact) <= 13) or not compact.isalnum() or not compact.isascii():
            raise ValidationError(
                _("Saisissez le NIR complet, ou au moins ses 5 premiers caractères.")
            )
        return compact

    def clean_nom(self):
        return self._prefix("nom")

    def clean_prenom(self):
        return self._prefix("prenom")

    def _prefix(self, name):
        value = (self.cleaned_data.get(name) or "").strip()
        if value and len(identity.normalize_name(value)) < self.MIN_PREFIX:
            raise ValidationError(_("Saisissez au moins 2 lettres."))
        return value

    def clean_telephone(self):
        return identity.normalize_phone(self.cleaned_data.get("telephone", ""))

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(n) for n in ("nir", "nom", "prenom", "telephone")):
            raise ValidationError(_("Indiquez un NIR, un nom, un prénom ou un téléphone."))
        return data


class TelephoneForm(SafeTextMixin, _Styled, forms.Form):
    version = VersionField()
    telephone = forms.CharField(label=_("Téléphone"), max_length=30)

    def clean_telephone(self):
        return identity.normalize_phone(self.cleaned_data["telephone"])


class ClotureMedecinForm(SafeTextMixin, _Styled, forms.Form):
    """The doctor closes a fiche: a negative result (a patient zéro waiting for its diagnosis),
    or another reason, written."""

    NEGATIF = "resultat_negatif"
    AUTRE = "autre"

    version = VersionField()
    motif = forms.ChoiceField(label=_("Motif de la clôture"), widget=forms.RadioSelect)
    precision = forms.CharField(label=_("Précisez le motif"), required=False, max_length=300)

    def __init__(self, *args, negatif_possible=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(self.AUTRE, _("Autre motif (précisez)"))]
        if negatif_possible:
            choices.insert(0, (self.NEGATIF, _("Résultat négatif")))
        self.fields["motif"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("motif") == self.AUTRE and not (data.get("precision") or "").strip():
            self.add_error("precision", _("Précisez le motif de la clôture."))
        return data

    def motif_text(self):
        if self.cleaned_data["motif"] == self.NEGATIF:
            return _("Résultat négatif")
        return self.cleaned_data["precision"].strip()


class ClotureForm(SafeTextMixin, _Styled, forms.Form):
    version = VersionField()
    motif = forms.CharField(label=_("Motif de la clôture"), max_length=300)


class RecherchePersonneForm(SafeTextMixin, _Styled, forms.Form):
    """Exact lookup: the whole NIR, or nom + prénom + date de naissance all three."""

    nir = forms.CharField(label=_("NIR (15 chiffres)"), required=False, max_length=21)
    nom = forms.CharField(label=_("Nom"), required=False, max_length=100)
    prenom = forms.CharField(label=_("Prénom"), required=False, max_length=100)
    date_naissance = forms.DateField(
        label=_("Date de naissance"), required=False, widget=DateInput()
    )

    def clean_nir(self):
        nir = identity.normalize_nir(self.cleaned_data.get("nir", ""))
        if nir and len(nir) == 13:
            nir += identity.nir_key(nir)
        return nir

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        nir = data.get("nir")
        complete_name = data.get("nom") and data.get("prenom") and data.get("date_naissance")
        if not nir and not complete_name:
            raise ValidationError(
                _(
                    "Indiquez le NIR, ou le nom, le prénom et la date de naissance : "
                    "la recherche se fait sur des valeurs exactes."
                )
            )
        return data


class PrelevementForm(SafeTextMixin, _Styled, forms.Form):
    date = forms.DateField(label=_("Date du prélèvement"), widget=DateInput())
    lieu = forms.CharField(label=_("Lieu du prélèvement"), max_length=200)


class ResultatForm(SafeTextMixin, _Styled, forms.Form):
    resultat = forms.ChoiceField(
        label=_("Résultat RT-PCR"), choices=Prelevement.Resultat.choices, widget=forms.RadioSelect
    )
    # A positive result is recorded on a second step that names the person and what follows.
    confirme = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CorrectionForm(SafeTextMixin, _Styled, forms.Form):
    resultat = forms.ChoiceField(
        label=_("Résultat exact"), choices=Prelevement.Resultat.choices, widget=forms.RadioSelect
    )
    motif = forms.CharField(label=_("Motif de la correction"), max_length=300)
    confirme = forms.BooleanField(
        label=_("Je confirme corriger ce résultat (la correction est enregistrée à mon nom)")
    )


class MasquesForm(SafeTextMixin, _Styled, forms.Form):
    date = forms.DateField(label=_("Date de délivrance"), widget=DateInput())
    nombre = forms.IntegerField(
        label=_("Nombre de masques"), initial=14, min_value=1, max_value=100
    )
    confirmer_depassement = forms.BooleanField(
        label=_("Je confirme cette délivrance au-delà de l'allocation de la semaine"),
        required=False,
    )


class ClusterForm(SafeTextMixin, _Styled, forms.ModelForm):
    class Meta:
        model = Cluster
        fields = ["nom", "collectivite", "departement", "statut", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collectivite"].choices = [
            c for c in Collectivite.choices if c[0] != Collectivite.NON
        ]
        self.fields["departement"] = forms.ChoiceField(
            label=_("Département"), choices=[(d, d) for d in sorted(departements)]
        )
        style_widgets(self)


class LierFicheForm(SafeTextMixin, _Styled, forms.Form):
    fiche = forms.IntegerField(label=_("N° de la fiche à lier"), min_value=1)


class ClusterSuiviForm(SafeTextMixin, _Styled, forms.ModelForm):
    """Following a cluster: its status and notes (name, kind and département stay)."""

    version = VersionField()

    class Meta:
        model = Cluster
        fields = ["statut", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class ImportFichierForm(SafeTextMixin, forms.Form):
    fichier = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_("2 Mo et 10 000 lignes au plus ; première ligne : les noms des colonnes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].widget.attrs.update(
            {"class": "form-control", "accept": ".csv,.xlsx,text/csv"}
        )


class ImportClusterForm(ImportFichierForm):
    """From a cluster's page: the list's people are contacts of one of the cluster's patients
    zéro (the one the agent names), and join the cluster."""

    origine = forms.TypedChoiceField(label=_("Patient zéro à l'origine"), coerce=int)

    field_order = ["origine", "fichier"]

    def __init__(self, *args, patients_zero=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origine"].choices = [("", "—")] + [
            (fiche.pk, f"{fiche.nom_complet} (n° {fiche.pk})") for fiche in patients_zero
        ]
        self.fields["origine"].widget.attrs["class"] = "form-select"
        self.order_fields(self.field_order)


class PeriodeForm(SafeTextMixin, _Styled, forms.Form):
    """The dashboard's period (and, for an admin, a région). Days in France; at most a year."""

    JOURS_PAR_DEFAUT = 28
    JOURS_MAX = 366

    du = forms.DateField(label=_("Du"), widget=DateInput)
    au = forms.DateField(label=_("Au"), widget=DateInput)
    region = forms.ChoiceField(label=_("Région"), required=False)

    def __init__(self, data=None, *, regions=None, today=None):
        self.today = today or timezone.localdate()
        initial = {"du": self.today - timedelta(days=self.JOURS_PAR_DEFAUT - 1), "au": self.today}
        if data:  # a day left out (a link naming only a région): the default period's, shown
            data = data.copy()
            for name in ("du", "au"):
                if not data.get(name):
                    data[name] = initial[name].isoformat()
        super().__init__(data if data else None, initial=initial)
        if regions is None:
            del self.fields["region"]
        else:
            self.fields["region"].choices = [("", _("France entière")), *regions]

    def clean(self):
        cleaned = super().clean()
        du, au = cleaned.get("du"), cleaned.get("au")
        if au and au > self.today:
            self.add_error("au", _("La période s'arrête au plus tard aujourd'hui."))
        elif du and au and du > au:
            self.add_error("du", _("Le premier jour doit précéder le dernier."))
        elif du and au and (au - du).days + 1 > self.JOURS_MAX:
            self.add_error("du", _("Choisissez une période d'au plus %(n)s jours.") % {
                "n": self.JOURS_MAX})  # fmt: skip
        return cleaned

    def periode(self):
        """(du, au, région) to show: the valid choice, or the default period."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return data["du"], data["au"], data.get("region", "")
        region = self.data.get("region", "") if self.is_bound else ""
        return self.initial["du"], self.initial["au"], region
