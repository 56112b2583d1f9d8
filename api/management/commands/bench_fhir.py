"""Measure the laboratories' API (issue 16, README « Scale »): N results posted as batch bundles
of B results with a real token; a third for open contacts of the database (promoted), a third
positive for unknown people (new patients zéro), a third negative without fiche. Through the
project's WSGI handler in this process, or (`--serveur`) to `make serve`'s gunicorn with
`--envois` laboratories posting at once. Reports results a second and the p95 of a bundle.
It writes: never on real data (`--base-de-mesure`)."""

import http.client
import json
import secrets
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

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
from tracing.charge import HOST, Gunicorn


class Command(BaseCommand):
    help = "Débit de l'API FHIR des laboratoires (résultats par seconde, p95 par Bundle)."

    def add_arguments(self, parser):
        parser.add_argument("--resultats", type=int, default=10_000)
        parser.add_argument("--taille-lot", type=int, default=500)
        parser.add_argument("--base-de-mesure", action="store_true")
        parser.add_argument("--serveur", action="store_true", help="gunicorn, 2 workers")
        parser.add_argument("--envois", type=int, default=1, help="envois simultanés")

    def handle(self, *args, resultats, taille_lot, base_de_mesure, serveur, envois, **options):
        if not base_de_mesure:
            raise CommandError("Écrit des fiches : --base-de-mesure confirme une base de mesure.")
        client_api = _client()
        server = Gunicorn(workers=2, threads=2) if serveur else None
        try:
            self._mesure(client_api, server, resultats, taille_lot, envois)
        finally:
            if server is not None:
                server.stop()

    def _mesure(self, client_api, server, resultats, taille_lot, envois):
        post = _poster(server)
        form = urlencode({"grant_type": "client_credentials", "client_id": client_api.client_id,
                          "client_secret": client_api.secret})  # fmt: skip
        _, answer = post(reverse("api:token"), form, "application/x-www-form-urlencoded", "")
        token = json.loads(answer)["access_token"]
        contacts = list(
            Fiche.objects.filter(nature=Nature.CONTACT, statut__in=CONTACT_STATUSES,
                                 brouillon=False, date_naissance__isnull=False)
            .values("nom", "prenom", "date_naissance", "code_postal")[: resultats // 3]
        )  # fmt: skip
        statuts = {}
        lots = [range(i, min(i + taille_lot, resultats)) for i in range(0, resultats, taille_lot)]
        bodies = [json.dumps(_bundle(lot, contacts, client_api.finess)) for lot in lots]

        def envoyer(body):
            t0 = time.perf_counter()
            status, content = post(reverse("api:bundle"), body, "application/fhir+json", token)
            if status != 200:
                raise CommandError(f"Bundle refusé : {status} {content[:300]}")
            return time.perf_counter() - t0, json.loads(content)["entry"]

        debut = time.perf_counter()
        if envois == 1:  # in this thread (and this thread's database connection)
            done = [envoyer(body) for body in bodies]
        else:
            with ThreadPoolExecutor(max_workers=envois) as pool:
                done = list(pool.map(envoyer, bodies))
        total = time.perf_counter() - debut
        durees = [duree for duree, _ in done]
        for _, entries in done:
            for entry in entries:
                statut = entry["response"]["status"]
                statuts[statut] = statuts.get(statut, 0) + 1
        ou = f"gunicorn 2 workers, {envois} envoi(s) simultané(s)" if server else "en processus"
        self.stdout.write(
            f"| {resultats} résultats en {len(lots)} Bundles de {taille_lot} ({ou}) "
            f"| {resultats / total:.0f} résultats/s | p50 {percentile(durees, 0.5):.2f} s "
            f"| p95 {percentile(durees, 0.95):.2f} s | {len(contacts)} contacts promus "
            f"| entrées : {statuts} |"
        )


def _poster(server):
    """post(path, body, content type, token) → (status, body), in this process or over HTTP."""
    if server is None:
        client = Client(SERVER_NAME="localhost", HTTP_HOST="localhost")

        def post(path, body, content_type, token):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
            response = client.post(path, body, content_type=content_type, secure=True, **headers)
            return response.status_code, response.content

        return post

    def post(path, body, content_type, token):
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        try:
            connection.request("POST", path, body=body.encode(), headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    return post


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
