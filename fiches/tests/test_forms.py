from datetime import timedelta

from django.utils import timezone

from fiches.forms import ContactForm, PatientZeroForm
from fiches.tests.factories import BeneficiaireFactory

VALID = {"nir": "1 85 05 78 006 084 91", "nom": "Shneidez", "prenom": "Kevan",
         "information_patient": "on", "collectivite": "non"}  # fmt: skip


def test_valid_patient_zero_form_gives_domain_values(db):
    form = PatientZeroForm({**VALID, "telephone": "01 43 43 43 43", "code_postal": "20200"})
    assert form.is_valid(), form.errors
    data = form.domain_data()
    assert data["nir"] == "185057800608491"
    assert data["telephone"] == "+33143434343"
    assert "statut" not in data and "declarant" not in data


def test_invalid_nir_gets_a_french_message_next_to_the_field(db):
    form = PatientZeroForm({**VALID, "nir": "1 85 05 78 006 084 92"})
    assert not form.is_valid()
    assert "La clé du NIR ne correspond pas" in form.errors["nir"][0]


def test_future_birth_date_is_refused(db):
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = PatientZeroForm({**VALID, "date_naissance": tomorrow.isoformat()})
    assert not form.is_valid()
    assert form.errors["date_naissance"] == ["La date de naissance ne peut pas être dans le futur."]


def test_bad_phone_is_refused(db):
    form = PatientZeroForm({**VALID, "telephone": "12"})
    assert not form.is_valid()
    assert "Numéro de téléphone invalide" in form.errors["telephone"][0]


def test_missing_mandatory_fields_are_named(db):
    form = PatientZeroForm({"collectivite": "non"})
    assert not form.is_valid()
    assert form.errors["nom"] == ["Ce champ est obligatoire."]
    assert "information du patient" in form.errors["information_patient"][0]


def test_draft_may_leave_mandatory_fields_empty(db):
    form = PatientZeroForm({"nom": "Debreu", "collectivite": "non"}, brouillon=True)
    assert form.is_valid(), form.errors


def test_empty_draft_is_refused(db):
    form = PatientZeroForm({"collectivite": "non"}, brouillon=True)
    assert not form.is_valid()


def test_contact_needs_nom_prenom_and_code_postal(db):
    form = ContactForm({"collectivite": "non"})
    assert not form.is_valid()
    assert {"nom", "prenom", "code_postal"} <= set(form.errors)


def test_known_nir_fills_and_locks_the_identity(db):
    BeneficiaireFactory(nir="185057800608491", nom="SHNEIDEZ", prenom="Kevan")
    form = PatientZeroForm({**VALID, "nom": "Autre"})
    assert form.is_valid()
    assert form.domain_data().get("nom") is None  # the référentiel's, set by the service
    assert form["nom"].value() == "SHNEIDEZ"
    assert form.fields["nom"].widget.attrs["readonly"]
