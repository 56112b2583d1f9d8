"""FHIR R4 at the edge (issue 16): a posted Bundle read into results, and the answers written back.

Each resource is validated by the `fhir.resources` models (its R4B package: Bundle, Patient,
Observation and OperationOutcome are the same on the wire as in R4 4.0.1), entry by entry, so that
one malformed entry of a `batch` is refused alone. What the models cannot know is checked here,
with a French diagnostic and the FHIRPath of the element at fault: the test (LOINC 94500-6), the
result (SNOMED CT 10828004 positive / 260385009 negative), the laboratory (FINESS), the result's
identifier, the person (read into `api.forms.PersonneForm`: the screens' rules).

A result is an Observation and the Patient its `subject` points to: an entry of the bundle (by
its `fullUrl`) or a resource contained in the Observation (`#id`). The pair is one unit: the
Patient's entry gets the same answer as its Observation.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from pydantic import ValidationError

from api.forms import PersonneForm

INS_NIR = "urn:oid:1.2.250.1.213.1.4.8"
FINESS = "urn:oid:1.2.250.1.71.4.2.2"
LOINC = "http://loinc.org"
LOINC_SARS_COV_2_RNA = "94500-6"
SNOMED = "http://snomed.info/sct"
SNOMED_RESULTATS = {"10828004": "positif", "260385009": "negatif"}
STATUTS_VALIDES = ("final", "amended", "corrected")
TYPES = ("batch", "transaction")
MAX_ENTREES = 10_000

# HTTP statuses of an entry's answer, as FHIR writes them.
CREATED = "201 Created"
OK = "200 OK"
BAD_REQUEST = "400 Bad Request"
FORBIDDEN = "403 Forbidden"
CONFLICT = "409 Conflict"
UNPROCESSABLE = "422 Unprocessable Entity"

# Where each field of the person comes from in a Patient, for the diagnostics.
PATIENT_PATHS = {
    "nir": "Patient.identifier",
    "nom": "Patient.name.family",
    "prenom": "Patient.name.given",
    "date_naissance": "Patient.birthDate",
    "telephone": "Patient.telecom",
    "email": "Patient.telecom",
    "voie": "Patient.address.line",
    "code_postal": "Patient.address.postalCode",
    "commune": "Patient.address.city",
}


class BundleRefuse(Exception):
    """The whole request is refused (not a Bundle, a type we do not take, too many entries)."""

    def __init__(self, message, *, expression="Bundle", code="invalid", status=400):
        super().__init__(message)
        self.message = message
        self.expression = expression
        self.code = code
        self.status = status


@dataclass
class Probleme:
    code: str  # OperationOutcome.issue.code: invalid, required, value, forbidden, business-rule…
    diagnostic: str
    expression: str
    severite: str = "error"


@dataclass
class Resultat:
    """One result as the services take it, or the problems that keep it out."""

    index: int  # the Observation's entry
    patient_index: int | None = None  # the Patient's entry (None: contained)
    systeme: str = ""
    identifiant: str = ""
    resultat: str = ""
    date_prelevement: date | None = None
    finess: str = ""
    personne: dict = field(default_factory=dict)
    statut: str = ""  # the HTTP status of a refusal
    problemes: list[Probleme] = field(default_factory=list)

    def refuser(self, statut, code, diagnostic, expression):
        # A forbidden laboratory outweighs a malformed field; otherwise the first status stays.
        if not self.statut or statut == FORBIDDEN:
            self.statut = statut
        self.problemes.append(Probleme(code, diagnostic, expression))

    @property
    def valide(self):
        return not self.problemes

    def empreinte_source(self) -> str:
        """What the result says, as one text (its digest tells a resend from a different one)."""
        personne = {k: str(v) for k, v in sorted(self.personne.items()) if v}
        return f"{self.resultat}|{self.date_prelevement}|{self.finess}|{personne}"


@dataclass
class Lecture:
    type: str
    nombre: int  # entries in the bundle
    resultats: list[Resultat]
    # Entries that are not part of any result (a Patient nobody points to, another resource).
    orphelines: dict[int, Resultat]


def lire_enveloppe(document) -> list:
    """The bundle's entries, once its envelope is a batch or transaction Bundle."""
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        raise BundleRefuse(_("Le corps de la requête doit être une ressource Bundle FHIR."))
    entrees = document.get("entry") or []
    if not isinstance(entrees, list):
        raise BundleRefuse(_("Bundle.entry doit être une liste."), expression="Bundle.entry")
    try:
        Bundle.model_validate({**document, "entry": []})
    except (ValidationError, RecursionError) as error:
        issue = _problemes(error, "Bundle")[0]
        raise BundleRefuse(issue.diagnostic, expression=issue.expression) from None
    if document.get("type") not in TYPES:
        raise BundleRefuse(
            _("Bundle.type doit valoir « batch » ou « transaction » (reçu : « %s »).")
            % document.get("type"),
            expression="Bundle.type",
            code="not-supported",
        )
    if not entrees:
        raise BundleRefuse(_("Le Bundle ne contient aucune entrée."), expression="Bundle.entry")
    if len(entrees) > MAX_ENTREES:
        raise BundleRefuse(
            _("Le Bundle contient %(n)s entrées ; %(max)s au plus : découpez-le.")
            % {"n": len(entrees), "max": MAX_ENTREES},
            expression="Bundle.entry",
            code="too-costly",
            status=413,
        )
    return entrees


def lire(document, *, finess: str) -> Lecture:
    """The results of a Bundle posted by the laboratory `finess`, each valid or with its problems.
    Raises `BundleRefuse` when the envelope itself is wrong."""
    entrees = lire_enveloppe(document)
    patients: dict[str, tuple[int, object]] = {}
    observations: list[tuple[int, dict, object]] = []
    orphelines: dict[int, Resultat] = {}
    for index, brute in enumerate(entrees):
        chemin = f"Bundle.entry[{index}]"
        erreur = Resultat(index=index)
        if not isinstance(brute, dict) or not isinstance(brute.get("resource"), dict):
            erreur.refuser(BAD_REQUEST, "required", _("Entrée sans ressource."), chemin)
            orphelines[index] = erreur
            continue
        try:
            entree = BundleEntry.model_validate(brute)
        except (ValidationError, ValueError, TypeError, KeyError, RecursionError) as error:
            for probleme in _problemes(error, chemin):
                erreur.refuser(BAD_REQUEST, probleme.code, probleme.diagnostic,
                               probleme.expression)  # fmt: skip
            orphelines[index] = erreur
            continue
        ressource = brute["resource"]
        kind = ressource.get("resourceType")
        methode = entree.request.method if entree.request is not None else "POST"
        if methode != "POST":
            erreur.refuser(
                BAD_REQUEST, "not-supported",
                _("Seule la création (request.method POST) est acceptée ; reçu : %s.") % methode,
                f"{chemin}.request.method",
            )  # fmt: skip
            orphelines[index] = erreur
        elif kind == "Patient" and brute.get("fullUrl") in patients:
            erreur.refuser(BAD_REQUEST, "invalid",
                           _("Ce fullUrl est déjà celui d'une autre entrée du Bundle."),
                           f"{chemin}.fullUrl")  # fmt: skip
            orphelines[index] = erreur
        elif kind == "Patient":
            patients[brute.get("fullUrl") or f"#entree-{index}"] = (index, entree.resource)
        elif kind == "Observation":
            observations.append((index, ressource, entree.resource))
        else:
            erreur.refuser(
                BAD_REQUEST, "not-supported",
                _("Ressource %s non prise en charge : seulement Patient et Observation.") % kind,
                f"{chemin}.resource",
            )  # fmt: skip
            orphelines[index] = erreur
    resultats = []
    utilises = set()
    for index, observation, obs in observations:
        resultat = _resultat(index, observation, obs, patients, finess=finess)
        if resultat.patient_index is not None:
            utilises.add(resultat.patient_index)
        resultats.append(resultat)
    for index, _patient in patients.values():
        if index not in utilises:
            orpheline = Resultat(index=index)
            orpheline.refuser(
                BAD_REQUEST, "invalid",
                _("Patient sans résultat : aucune Observation de ce Bundle ne le désigne "
                  "(Observation.subject)."),
                f"Bundle.entry[{index}].fullUrl",
            )  # fmt: skip
            orphelines[index] = orpheline
    return Lecture(type=document["type"], nombre=len(entrees), resultats=resultats,
                   orphelines=orphelines)  # fmt: skip


def _resultat(index, observation: dict, obs, patients, *, finess) -> Resultat:
    chemin = f"Bundle.entry[{index}].resource"
    resultat = Resultat(index=index)
    if obs.status not in STATUTS_VALIDES:
        resultat.refuser(
            UNPROCESSABLE, "business-rule",
            _("Seuls les résultats validés sont acceptés (status « final », « amended » ou "
              "« corrected ») ; reçu : « %s ».") % obs.status,
            f"{chemin}.status",
        )  # fmt: skip
    identifiants = [i for i in obs.identifier or [] if i.system and i.value]
    if not identifiants:
        resultat.refuser(
            BAD_REQUEST, "required",
            _("L'Observation doit porter un identifiant unique du résultat (identifier.system "
              "et identifier.value) : c'est lui qui évite de l'enregistrer deux fois."),
            f"{chemin}.identifier",
        )  # fmt: skip
    else:
        resultat.systeme = identifiants[0].system[:255]
        resultat.identifiant = identifiants[0].value[:128]
    codes = [(c.system, c.code) for c in (obs.code.coding or [])] if obs.code else []
    if (LOINC, LOINC_SARS_COV_2_RNA) not in codes:
        resultat.refuser(
            UNPROCESSABLE, "not-supported",
            _("Examen non pris en charge : seul le RT-PCR SARS-CoV-2 (LOINC 94500-6) est "
              "attendu."),
            f"{chemin}.code",
        )  # fmt: skip
    _lire_valeur(resultat, obs, chemin)
    _lire_date(resultat, obs, chemin)
    _lire_laboratoire(resultat, obs, chemin, finess=finess)
    _lire_patient(resultat, observation, obs, patients, chemin)
    return resultat


def _lire_valeur(resultat, obs, chemin):
    concept = obs.valueCodeableConcept
    codes = [c.code for c in (concept.coding or []) if c.system == SNOMED] if concept else []
    valeurs = {SNOMED_RESULTATS[code] for code in codes if code in SNOMED_RESULTATS}
    if len(valeurs) == 1:
        resultat.resultat = valeurs.pop()
        return
    resultat.refuser(
        UNPROCESSABLE, "value",
        _("Le résultat doit être positif (SNOMED CT 10828004) ou négatif (260385009) dans "
          "valueCodeableConcept ; un résultat non interprétable n'est pas enregistré."),
        f"{chemin}.valueCodeableConcept",
    )  # fmt: skip


def _lire_date(resultat, obs, chemin):
    quand = obs.effectiveDateTime
    if quand is None:
        resultat.refuser(BAD_REQUEST, "required",
                         _("La date du prélèvement (effectiveDateTime) est obligatoire."),
                         f"{chemin}.effectiveDateTime")  # fmt: skip
        return
    if isinstance(quand, datetime):
        if timezone.is_naive(quand):
            quand = timezone.make_aware(quand)
        quand = timezone.localtime(quand)
        jour = quand.date()
    else:
        jour = quand  # a date alone
    if not isinstance(jour, date) or jour.year < 2019:
        resultat.refuser(UNPROCESSABLE, "value",
                         _("Date du prélèvement invalide (effectiveDateTime : jour complet "
                           "attendu, 2019 ou après)."),
                         f"{chemin}.effectiveDateTime")  # fmt: skip
        return
    if jour > timezone.localdate():
        resultat.refuser(UNPROCESSABLE, "value",
                         _("La date du prélèvement ne peut pas être dans le futur."),
                         f"{chemin}.effectiveDateTime")  # fmt: skip
        return
    resultat.date_prelevement = jour


def _lire_laboratoire(resultat, obs, chemin, *, finess):
    numeros = [
        p.identifier.value
        for p in obs.performer or []
        if p.identifier is not None and p.identifier.system == FINESS and p.identifier.value
    ]
    if not numeros:
        resultat.refuser(
            BAD_REQUEST, "required",
            _("Le laboratoire qui a réalisé l'examen doit être désigné par son FINESS "
              "(performer.identifier, système %s).") % FINESS,
            f"{chemin}.performer",
        )  # fmt: skip
        return
    resultat.finess = numeros[0]
    if numeros[0] != finess:
        resultat.refuser(
            FORBIDDEN, "forbidden",
            _("Ce client ne peut envoyer que les résultats de son laboratoire (FINESS %(own)s) ; "
              "celui-ci est attribué au FINESS %(other)s.")
            % {"own": finess, "other": numeros[0][:9]},
            f"{chemin}.performer",
        )  # fmt: skip


def _lire_patient(resultat, observation, obs, patients, chemin):
    reference = obs.subject.reference if obs.subject is not None else None
    patient = None
    if reference and reference.startswith("#"):
        for contenu in observation.get("contained") or []:
            if (isinstance(contenu, dict) and contenu.get("resourceType") == "Patient"
                    and f"#{contenu.get('id')}" == reference):  # fmt: skip
                patient = contenu
    elif reference in patients:
        resultat.patient_index, patient = patients[reference]
    if patient is None:
        resultat.refuser(
            BAD_REQUEST, "invalid",
            _("Observation.subject doit désigner le Patient du résultat : le fullUrl d'une "
              "entrée de ce Bundle, ou une ressource contenue (#id)."),
            f"{chemin}.subject",
        )  # fmt: skip
        return
    if resultat.patient_index is not None:
        lieu = f"Bundle.entry[{resultat.patient_index}].resource"
    else:
        lieu = f"{chemin}.contained"
        try:
            patient = BundleEntry.model_validate({"resource": patient}).resource
        except (ValidationError, ValueError, TypeError, KeyError, RecursionError) as error:
            for probleme in _problemes(error, lieu):
                resultat.refuser(BAD_REQUEST, probleme.code, probleme.diagnostic,
                                 probleme.expression)  # fmt: skip
            return
    form = PersonneForm(data=_personne(patient))
    if not form.is_valid():
        for name, erreurs in form.errors.items():
            expression = PATIENT_PATHS.get(name, "Patient").replace("Patient", lieu, 1)
            for message in erreurs:
                resultat.refuser(UNPROCESSABLE, "value", message, expression)
        return
    resultat.personne = {name: form.cleaned_data[name] for name in PersonneForm.Meta.fields}


def _personne(patient) -> dict:
    """The Patient as the form's fields (what the screens' person is made of)."""
    data = {}
    for identifier in patient.identifier or []:
        if identifier.system == INS_NIR and identifier.value:
            data["nir"] = identifier.value
    noms = patient.name or []
    nom = next((n for n in noms if n.use == "official"), noms[0] if noms else None)
    if nom is not None:
        data["nom"] = nom.family or ""
        data["prenom"] = " ".join(given for given in nom.given or [] if given)
    if patient.birthDate:
        # A partial date (« 1980 », « 1980-05 ») stays text: the form refuses it in French.
        data["date_naissance"] = str(patient.birthDate)
    for telecom in patient.telecom or []:
        if telecom.system in ("phone", "sms") and telecom.value and "telephone" not in data:
            data["telephone"] = telecom.value
        if telecom.system == "email" and telecom.value and "email" not in data:
            data["email"] = telecom.value
    adresses = patient.address or []
    adresse = next((a for a in adresses if a.use == "home"), adresses[0] if adresses else None)
    if adresse is not None:
        data["voie"] = ", ".join(line for line in adresse.line or [] if line)
        data["code_postal"] = adresse.postalCode or ""
        data["commune"] = adresse.city or ""
    return data


_PYDANTIC_CODES = {"missing": "required", "extra_forbidden": "structure"}


def _problemes(error, chemin) -> list[Probleme]:
    """A validation error of the FHIR models, in French, at the element's FHIRPath."""
    if not isinstance(error, ValidationError):
        return [Probleme("invalid", _("Ressource illisible : %s") % str(error)[:200], chemin)]
    problemes = []
    for detail in error.errors()[:20]:
        parts = [str(p) for p in detail.get("loc", ()) if not str(p).startswith("function-")]
        expression = chemin
        for part in parts:
            expression += f"[{part}]" if part.isdigit() else f".{part}"
        kind = detail.get("type", "")
        if kind == "missing":
            message = _("Élément obligatoire absent.")
        elif kind == "extra_forbidden":
            message = _("Élément inconnu de FHIR R4 pour cette ressource.")
        else:
            message = _("Valeur invalide (%s).") % str(detail.get("msg", ""))[:200]
        problemes.append(Probleme(_PYDANTIC_CODES.get(kind, "value"), message, expression))
    return problemes or [Probleme("invalid", _("Ressource invalide."), chemin)]


# ---------------------------------------------------------------------------------------------
# Answers


def operation_outcome(problemes: list[Probleme]) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": p.severite,
                "code": p.code,
                "diagnostics": p.diagnostic,
                "expression": [p.expression],
            }
            for p in problemes
        ],
    }


def information(message: str, expression: str) -> dict:
    return operation_outcome([Probleme("informational", message, expression, "information")])


def entree_reponse(statut: str, outcome: dict, *, location: str = "") -> dict:
    response = {"status": statut, "outcome": outcome}
    if location:
        response["location"] = location
    return {"response": response}


def bundle_reponse(type_: str, entrees: list[dict]) -> dict:
    return {
        "resourceType": "Bundle",
        "type": f"{type_}-response",
        "timestamp": timezone.now().isoformat(timespec="seconds"),
        "entry": entrees,
    }
