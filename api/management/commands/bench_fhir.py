"""Measure the laboratories' API (issue 16, README « Scale »): N results posted as batch bundles
of B results through the project's WSGI handler, with a real token; a third for open contacts of
the database (promoted), a third positive for unknown people (new patients zéro), a third
negative without fiche. Reports results a second and the p95 of a bundle. It writes: never on
real data (`--base-de-mesure`)."""

import json
import secrets
import time
import uuid
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Caisse, LieuExercice, Professionnel, User
from accounts.roles import Role
from api import fhir, services
from fiches.identity import nir_key
from fiches.models import Fiche, Nature
from fiches.statuses import CONTACT_STATUSES
from tracing.bench import percentile


class Command(BaseCommand):
    help = "Débit de l'API FHIR des laboratoires (résultats par seconde, p95 par Bundle)."

    def add_arguments(self, parser):
        parser.add_argument("--resultats", type=int, default=10_000)
        parser.add_argument("--taille-lot", type=int, default=500)
        parser.add_argument("--base-de-mesure", action="store_true")

    def handle(self, *args, resultats, taille_lot, base_de_mesure, **options):
        if not base_de_mesure:
            raise CommandError("Écrit des fiches : --base-de-mesure confirme une base de mesure.")
        client_api = _client()
        http = Client(SERVER_NAME="localhost", HTTP_HOST="localhost")
        token = http.post(
            reverse("api:token"), {"grant_type": "client_credentials",
                                   "client_id": client_api.client_id,
                                   "client_secret": client_api.secret}, secure=True,
        ).json()["access_token"]  # fmt: skip
        contacts = list(
            Fiche.objects.filter(nature=Nature.CONTACT, statut__in=CONTACT_STATUSES,
                                 brouillon=False, date_naissance__isnull=False)
            .values("nom", "prenom", "date_naissance", "code_postal")[: resultats // 3]
        )  # fmt: skip
        durees, statuts = [], {}
        lots = [range(i, min(i + taille_lot, resultats)) for i in range(0, resultats, taille_lot)]
        debut = time.perf_counter()
        for lot in lots:
            body = json.dumps(_bundle(lot, contacts, client_api.finess))
            t0 = time.perf_counter()
            response = http.post(reverse("api:bundle"), body, content_type="application/fhir+json",
                                 HTTP_AUTHORIZATION=f"Bearer {token}", secure=True)  # fmt: skip
            durees.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise CommandError(
                    f"Bundle refusé : {response.status_code} {response.content[:300]}"
                )
            for entry in response.json()["entry"]:
                statut = entry["response"]["status"]
                statuts[statut] = statuts.get(statut, 0) + 1
        total = time.perf_counter() - debut
        self.stdout.write(
            f"| {resultats} résultats en {len(lots)} Bundles de {taille_lot} "
            f"| {resultats / total:.0f} résultats/s | p50 {percentile(durees, 50):.2f} s "
            f"| p95 {percentile(durees, 95):.2f} s | {len(contacts)} contacts promus "
            f"| entrées : {statuts} |"
        )


def _client():
    caisse = Caisse.objects.first() or Caisse.objects.create(nom="Caisse de mesure")
    pro = Professionnel.objects.create(profession=Professionnel.Profession.BIOLOGISTE,
                                       raison_sociale="Laboratoire de mesure")  # fmt: skip
    numero = f"99{secrets.randbelow(10**7):07d}"
    labo = LieuExercice.objects.create(
        professionnel=pro, type_numero=LieuExercice.TypeNumero.FINESS, numero=numero,
        adresse="1 rue de la Mesure", code_postal="93100", ville="Montreuil", caisse=caisse,
    )  # fmt: skip
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_active": False})
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMIN.value)[0])
    client_api, secret = services.client_create(laboratoire=labo, nom="Mesure", by=admin)
    client_api.secret = secret
    return client_api


def _bundle(numeros, contacts, finess) -> dict:
    entries = []
    quand = (timezone.now() - timedelta(hours=2)).isoformat()
    for numero in numeros:
        kind = numero % 3
        if kind == 0 and numero // 3 < len(contacts):
            person = contacts[numero // 3]
            patient = {"name": [{"family": person["nom"], "given": [person["prenom"]]}],
                       "birthDate": person["date_naissance"].isoformat(),
                       "address": [{"postalCode": person["code_postal"] or "93100"}]}  # fmt: skip
            code = "10828004"
        else:
            body = f"1{numero % 90 + 10:02d}0193{numero % 1000:03d}{numero // 1000 % 1000:03d}"
            patient = {
                "identifier": [{"system": fhir.INS_NIR, "value": body + nir_key(body)}],
                "name": [{"family": f"Mesure{uuid.uuid4().hex[:8]}", "given": ["Camille"]}],
                "birthDate": "1990-01-01",
                "telecom": [{"system": "phone", "value": "0612345678"}],
                "address": [{"line": ["1 rue X"], "postalCode": "93100", "city": "Montreuil"}],
            }
            code = "10828004" if kind == 1 else "260385009"
        url = f"urn:uuid:{uuid.uuid4()}"
        entries.append({"fullUrl": url, "request": {"method": "POST", "url": "Patient"},
                        "resource": {"resourceType": "Patient", **patient}})  # fmt: skip
        entries.append({
            "request": {"method": "POST", "url": "Observation"},
            "resource": {
                "resourceType": "Observation", "status": "final",
                "identifier": [{"system": "urn:oid:1.2.250.1.999.2", "value": str(uuid.uuid4())}],
                "code": {"coding": [{"system": fhir.LOINC, "code": fhir.LOINC_SARS_COV_2_RNA}]},
                "subject": {"reference": url}, "effectiveDateTime": quand,
                "performer": [{"identifier": {"system": fhir.FINESS, "value": finess}}],
                "valueCodeableConcept": {"coding": [{"system": fhir.SNOMED, "code": code}]},
            },
        })  # fmt: skip
    return {"resourceType": "Bundle", "type": "batch", "entry": entries}
