"""No lost update, no double submit: two people at once, or one person twice, never write over
each other nor twice; the second gets a French message and keeps what they typed."""

import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fiches import services
from fiches.models import ArgumentDiagnostic, Fiche
from fiches.models_tracing import Appel
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory
from tracing.models import Cluster

ROOT = Path(__file__).resolve().parents[2]
CONTACT = {"nom": "Caron", "prenom": "Jean", "code_postal": "75011", "collectivite": "non",
           "action": "valider"}  # fmt: skip
STALE = "modifiée par une autre personne pendant votre saisie"


def version(fiche):
    fiche.refresh_from_db(fields=["version"])
    return fiche.version


# --- One submission lands once -----------------------------------------------------------------


def test_the_same_add_contact_form_posted_twenty_times_makes_one_contact(client, medecin):
    pz = FicheFactory(declarant=medecin)
    client.force_login(medecin)
    url = reverse("tracing:contact_create", args=[pz.pk])
    form = client.get(url).content.decode()
    token = form.split('name="soumission" value="')[1].split('"')[0]

    responses = [client.post(url, {**CONTACT, "soumission": token}) for _ in range(20)]

    assert Fiche.objects.filter(origine=pz).count() == 1
    assert {r.status_code for r in responses} == {302}
    assert {r.url for r in responses} == {reverse("tracing:fiche", args=[pz.pk])}
    again = client.get(responses[-1].url).content.decode()
    assert "il n&#x27;a été enregistré qu&#x27;une fois" in again


def test_two_renders_of_the_form_are_two_contacts(client, medecin):
    pz = FicheFactory(declarant=medecin)
    client.force_login(medecin)
    url = reverse("tracing:contact_create", args=[pz.pk])

    for _ in range(2):
        client.post(url, {**CONTACT, "soumission": str(uuid.uuid4())})

    assert Fiche.objects.filter(origine=pz).count() == 2


def test_a_refused_submission_can_be_corrected_and_sent_with_the_same_token(client, medecin):
    pz = FicheFactory(declarant=medecin)
    client.force_login(medecin)
    url = reverse("tracing:contact_create", args=[pz.pk])
    token = str(uuid.uuid4())

    refused = client.post(url, {**CONTACT, "code_postal": "", "soumission": token})
    accepted = client.post(url, {**CONTACT, "soumission": token})

    assert refused.status_code == 200
    assert f'name="soumission" value="{token}"' in refused.content.decode()
    assert accepted.status_code == 302
    assert Fiche.objects.filter(origine=pz).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_identical_posts_make_one_contact(medecin):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises the whole database)")
    pz = FicheFactory(declarant=medecin)
    url = reverse("tracing:contact_create", args=[pz.pk])
    token = str(uuid.uuid4())
    statuses, barrier = [], threading.Barrier(20)

    def post():
        try:
            client = Client()
            client.force_login(medecin)
            barrier.wait()
            statuses.append(client.post(url, {**CONTACT, "soumission": token}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * 20
    assert Fiche.objects.filter(origine=pz).count() == 1


def test_a_call_posted_twice_is_recorded_once(client, conseiller93, contact93):
    client.force_login(conseiller93)
    url = reverse("tracing:plateforme_appel", args=[contact93.pk])
    data = {"issue": "joint", "version": version(contact93), "soumission": str(uuid.uuid4())}

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert Appel.objects.filter(fiche=contact93).count() == 1


# --- The second writer is told, and keeps their input ------------------------------------------


def test_two_agents_completing_one_phone_the_second_is_refused_and_keeps_the_number(
    client, conseiller93, patient93
):
    contact = ContactFactory(origine=patient93, departement="93", telephone="")
    client.force_login(conseiller93)
    url = reverse("tracing:plateforme_telephone", args=[contact.pk])
    shown = version(contact)  # both agents opened the fiche

    client.post(url, {"telephone": "06 12 34 56 78", "version": shown})
    response = client.post(url, {"telephone": "07 98 76 54 32", "version": shown})

    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html
    assert 'value="07 98 76 54 32"' in html
    # The page shows the first one (as a tel: link).
    assert 'href="tel:+33612345678" class="fw-semibold">06 12 34 56 78<' in html
    contact.refresh_from_db()
    assert contact.telephone == "+33612345678"


def test_a_call_on_a_fiche_closed_meanwhile_keeps_the_note(client, conseiller93, contact93):
    client.force_login(conseiller93)
    shown = version(contact93)
    services.status_change(fiche=contact93, user=conseiller93, to=Statut.CLOTURE, motif="Fin")

    response = client.post(
        reverse("tracing:plateforme_appel", args=[contact93.pk]),
        {"issue": "joint", "note": "Personne jointe, très inquiète", "version": shown},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html
    assert "Personne jointe, très inquiète</textarea>" in html
    assert not Appel.objects.filter(fiche=contact93).exists()


def test_a_closing_on_a_fiche_changed_meanwhile_keeps_the_reason(client, conseiller93, contact93):
    client.force_login(conseiller93)
    shown = version(contact93)
    services.status_change(fiche=contact93, user=conseiller93, to=Statut.CLOTURE, motif="Fin")

    response = client.post(
        reverse("tracing:plateforme_cloturer", args=[contact93.pk]),
        {"motif": "Suivi terminé", "version": shown},
    )

    assert response.status_code == 409
    assert STALE in response.content.decode()
    assert 'value="Suivi terminé"' in response.content.decode()


def test_two_ars_agents_editing_a_cluster_the_second_keeps_their_notes(client, ars_idf):
    cluster = Cluster.objects.create(
        nom="École", collectivite="scolaire", region="FR-IDF", departement="93",
        created_by=ars_idf,
    )  # fmt: skip
    client.force_login(ars_idf)
    url = reverse("tracing:ars_cluster", args=[cluster.pk])
    shown = cluster.version

    client.post(url, {"statut": "ouvert", "notes": "Première note", "version": shown})
    response = client.post(url, {"statut": "clos", "notes": "Seconde note", "version": shown})

    assert response.status_code == 409
    html = response.content.decode()
    assert "modifié par une autre personne" in html
    assert "Seconde note</textarea>" in html
    cluster.refresh_from_db()
    assert (cluster.notes, cluster.statut) == ("Première note", "ouvert")


def test_an_edit_of_a_contact_promoted_meanwhile_keeps_the_contact_form_and_says_why(
    client, medecin
):
    contact = ContactFactory(origine__declarant=medecin, code_postal="75011", statut="a_contacter")
    client.force_login(medecin)
    url = reverse("tracing:fiche_update", args=[contact.pk])
    shown = version(contact)
    services.fiche_update(
        fiche=contact, user=medecin, data={"argument_diagnostic": ArgumentDiagnostic.RT_PCR},
        version=shown, valider=True,
    )  # fmt: skip

    response = client.post(url, {
        "nom": contact.nom, "prenom": contact.prenom, "code_postal": "75011",
        "commune": "Paris 11e", "meme_foyer": "on", "version": shown, "formulaire": "contact",
        "action": "valider",
    })  # fmt: skip

    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html
    assert 'value="Paris 11e"' in html
    assert 'name="meme_foyer"' in html  # still the contact's form
    assert "information du patient est obligatoire" not in html
    contact.refresh_from_db()
    assert contact.commune != "Paris 11e"


# --- The embedded SQLite of `make run` holds a handful of users at once -----------------------

SQLITE_SCRIPT = """
import json, threading, uuid, django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.test import Client
call_command("migrate", verbosity=0)
from fiches.tests.factories import FicheFactory
from tests.factories import UserFactory
from accounts.roles import Role
from django.contrib.auth.models import Group
medecin = UserFactory()
medecin.groups.add(Group.objects.get(name=Role.MEDECIN.value))
pz = FicheFactory(declarant=medecin)
url = f"/fiches/{pz.pk}/ajouter-contact/"
statuses, barrier = [], threading.Barrier(THREADS)
def post(i):
    try:
        client = Client(raise_request_exception=False)
        client.force_login(medecin)
        barrier.wait()
        data = {"nom": f"Caron{i}", "prenom": "Jean", "code_postal": "75011",
                "collectivite": "non", "action": "valider", "soumission": str(uuid.uuid4())}
        statuses.append(client.post(url, data).status_code)
    finally:
        connections.close_all()
threads = [threading.Thread(target=post, args=(i,)) for i in range(THREADS)]
[t.start() for t in threads]
[t.join() for t in threads]
from fiches.models import Fiche
print(json.dumps({"statuses": statuses, "contacts": Fiche.objects.filter(origine=pz).count()}))
"""


def test_parallel_posts_on_the_embedded_sqlite_all_land(tmp_path):
    environ = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "HTTPS": "false",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "contactcovid.settings",
        "EMAIL_URL": "consolemail://",
        "STATIC_MANIFEST": "false",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SQLITE_SCRIPT.replace("THREADS", "8")],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"statuses": [302] * 8, "contacts": 8}, result.stderr[-3000:]


def test_sqlite_takes_its_write_lock_at_the_start_and_waits_for_it(settings):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded database's settings")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]


def test_recall_dates_in_the_past_are_still_refused(client, conseiller93, contact93):
    client.force_login(conseiller93)
    hier = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("tracing:plateforme_appel", args=[contact93.pk]),
        {"issue": "pas_de_reponse", "rappel_le": hier, "version": version(contact93)},
    )

    assert response.status_code == 400
    assert "Le rappel doit être dans le futur" in response.content.decode()
