"""A laboratory's system, as the tests play it: FHIR resources built with the same library the
server reads them with (`fhir.resources`), sent as JSON."""

import uuid
from datetime import datetime, timedelta

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from api import fhir

POSITIF = "10828004"
NEGATIF = "260385009"


def resultat(
    *, finess, identifiant=None, positif=True, nir=None, nom="PETIT", prenom="Lucas",
    naissance="2010-03-14", code_postal="93100", telephone="06 12 00 00 09", quand=None,
    systeme="urn:oid:1.2.250.1.999.1", valeur=None, contenu=False,
) -> list[BundleEntry]:  # fmt: skip
    """The two entries of one result: the Patient and the Observation that points to it (or,
    with `contenu`, one Observation carrying its Patient)."""
    patient_url = f"urn:uuid:{uuid.uuid4()}"
    patient = Patient(
        id="p1" if contenu else None,
        identifier=[{"system": fhir.INS_NIR, "value": nir}] if nir else None,
        name=[{"use": "official", "family": nom, "given": [prenom]}],
        birthDate=naissance,
        gender="male",
        telecom=[{"system": "phone", "value": telephone}] if telephone else None,
        address=[{"use": "home", "line": ["12 rue de Paris"], "postalCode": code_postal,
                  "city": "Montreuil"}] if code_postal else None,
    )  # fmt: skip
    quand = quand or (timezone.now() - timedelta(hours=3))
    observation = Observation(
        status="final",
        identifier=[{"system": systeme, "value": identifiant or str(uuid.uuid4())}],
        code={"coding": [{"system": fhir.LOINC, "code": fhir.LOINC_SARS_COV_2_RNA}]},
        subject={"reference": "#p1" if contenu else patient_url},
        effectiveDateTime=quand.isoformat() if isinstance(quand, datetime) else quand,
        performer=[{"identifier": {"system": fhir.FINESS, "value": finess}}],
        valueCodeableConcept={
            "coding": [{"system": fhir.SNOMED, "code": valeur or (POSITIF if positif else NEGATIF)}]
        },
        contained=[patient] if contenu else None,
    )
    obs = BundleEntry(resource=observation, request={"method": "POST", "url": "Observation"})
    if contenu:
        return [obs]
    return [
        BundleEntry(fullUrl=patient_url, resource=patient,
                    request={"method": "POST", "url": "Patient"}),
        obs,
    ]  # fmt: skip


def bundle(*resultats, type_="batch") -> str:
    entries = [entry for entries in resultats for entry in entries]
    return Bundle(type=type_, entry=entries).model_dump_json(exclude_none=True)


def reponse(response) -> Bundle:
    """The server's answer, read back by the peer's library (it must be valid FHIR)."""
    return Bundle.model_validate_json(response.content)
