"""Who may call the API (OAuth 2.0 client credentials, per laboratory), its limits, and the large
bundles processed by the job runner (issue 16)."""

import base64
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from fhir.resources.R4B.operationoutcome import OperationOutcome

from api import services
from api.models import ClientAPI, JetonAPI, LotFHIR, ResultatRecu
from api.tests import peer
from api.tests.conftest import AUTRE_FINESS, FINESS, jeton, laboratoire
from fiches.audit import AuditLog
from fiches.models import Nature
from fiches.models_tracing import Prelevement
from jobs.testing import run_ready_jobs

pytestmark = pytest.mark.django_db


def _basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_a_client_gets_an_hour_long_bearer_token_and_only_its_digest_is_kept(client, client_api):
    token = jeton(client, client_api)

    stored = JetonAPI.objects.get(client=client_api)
    assert stored.empreinte == services.token_digest(token) and token not in stored.empreinte
    assert 3590 <= stored.get_expires_in() <= 3600
    assert client_api.secret not in ClientAPI.objects.get().secret_hash
    assert ClientAPI.objects.get().secret_hash.startswith("argon2")


def test_a_wrong_secret_gets_no_token(client, client_api):
    response = client.post(reverse("api:token"), {"grant_type": "client_credentials"},
                           HTTP_AUTHORIZATION=_basic(client_api.client_id, "devine"))  # fmt: skip

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not JetonAPI.objects.exists()


def test_without_a_valid_token_nothing_is_read_even_with_a_signed_in_session(
    client, biologiste, client_api
):
    client.force_login(biologiste)
    body = peer.bundle(peer.resultat(finess=FINESS))

    anonymous = client.post(reverse("api:bundle"), body, content_type="application/fhir+json")
    forged = client.post(reverse("api:bundle"), body, content_type="application/fhir+json",
                         HTTP_AUTHORIZATION="Bearer inventé")  # fmt: skip

    for response in (anonymous, forged):
        assert response.status_code == 401
        assert "Jeton d'accès absent, expiré ou révoqué" in response.content.decode()
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ResultatRecu.objects.exists()


def test_an_expired_token_or_a_revoked_client_is_refused(
    client, client_api, poster, administrateur
):
    body = peer.bundle(peer.resultat(finess=FINESS, positif=False))
    JetonAPI.objects.update(expire_le=timezone.now() - timedelta(seconds=1))
    assert poster(body).status_code == 401

    fresh = jeton(client, client_api)
    services.client_revoke(client=client_api, by=administrateur)
    response = client.post(reverse("api:bundle"), body, content_type="application/fhir+json",
                           HTTP_AUTHORIZATION=f"Bearer {fresh}")  # fmt: skip
    assert response.status_code == 401
    basic = _basic(client_api.client_id, client_api.secret)
    again = client.post(
        reverse("api:token"), {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic
    )
    assert again.status_code == 401


def test_the_technical_account_of_a_client_can_never_sign_in(client_api):
    compte = client_api.compte

    assert not compte.is_active and not compte.has_usable_password()
    assert authenticate(username=compte.username, password="") is None
    assert authenticate(username=client_api.client_id, password=client_api.secret) is None


def test_a_client_is_throttled_per_minute_with_a_french_answer(poster, settings):
    settings.FHIR_APPELS_PAR_MINUTE = 2
    body = peer.bundle(peer.resultat(finess=FINESS, positif=False, identifiant="X"))

    statuses = [poster(body).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    refused = poster(body)
    assert int(refused["Retry-After"]) > 0
    assert (
        "Trop d'envois"
        in OperationOutcome.model_validate_json(refused.content).issue[0].diagnostics
    )


def test_a_large_bundle_is_accepted_with_202_and_processed_by_the_job_runner(
    poster, settings, contact93
):
    settings.FHIR_SYNC_MAX_ENTREES = 3
    body = peer.bundle(peer.resultat(finess=FINESS),
                       peer.resultat(finess=FINESS, positif=False, nom="Autre"))  # fmt: skip

    accepted = poster(body)

    assert accepted.status_code == 202
    status_url = accepted["Content-Location"]
    assert not Prelevement.objects.exists()  # not inside the request
    waiting = Client().get(status_url, HTTP_AUTHORIZATION=f"Bearer {poster.token}")
    assert waiting.status_code == 202
    assert run_ready_jobs() >= 1
    done = Client().get(status_url, HTTP_AUTHORIZATION=f"Bearer {poster.token}")
    assert done.status_code == 200
    assert [e.response.status for e in peer.reponse(done).entry] == ["201 Created"] * 4
    contact93.refresh_from_db()
    assert contact93.nature == Nature.PATIENT_ZERO
    assert LotFHIR.objects.get().contenu is None  # the identities are not kept
    assert AuditLog.objects.filter(action="api.lot_processed").exists()


def test_prefer_respond_async_asks_for_the_background_too(poster):
    body = peer.bundle(peer.resultat(finess=FINESS, positif=False))

    assert poster(body, HTTP_PREFER="respond-async").status_code == 202


def test_another_laboratory_cannot_read_a_lot_status(client, poster, administrateur, settings):
    settings.FHIR_SYNC_MAX_ENTREES = 1
    status_url = poster(peer.bundle(peer.resultat(finess=FINESS)))["Content-Location"]
    other, secret = services.client_create(laboratoire=laboratoire(AUTRE_FINESS, "AUTRE"),
                                           nom="", by=administrateur)  # fmt: skip
    other.secret = secret

    response = Client().get(status_url, HTTP_AUTHORIZATION=f"Bearer {jeton(client, other)}")

    assert response.status_code == 404


def test_a_lot_whose_worker_died_midway_is_relaunched_and_nothing_is_recorded_twice(
    poster, settings, contact93, monkeypatch
):
    settings.FHIR_SYNC_MAX_ENTREES = 1
    body = peer.bundle(peer.resultat(finess=FINESS),
                       peer.resultat(finess=FINESS, positif=False, nom="Autre"))  # fmt: skip
    status_url = poster(body)["Content-Location"]
    real = services.resultat_laboratoire
    calls = []

    def crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "resultat_laboratoire", crash_on_second)
    run_ready_jobs()  # the job fails half-way: the first result is committed
    lot = LotFHIR.objects.get()
    assert lot.etat == LotFHIR.Etat.EN_ATTENTE and Prelevement.objects.count() == 1

    monkeypatch.setattr(services, "resultat_laboratoire", real)
    assert services.lots_relancer() == 0  # its worker may still be on it
    long_ago = timezone.now() - services.LOT_BAIL * 2
    LotFHIR.objects.update(recu_le=long_ago, pris_le=long_ago)  # it was not: it died
    assert services.lots_relancer() == 1
    run_ready_jobs()

    done = Client().get(status_url, HTTP_AUTHORIZATION=f"Bearer {poster.token}")
    statuses = [e.response.status for e in peer.reponse(done).entry]
    assert statuses == ["200 OK", "200 OK", "201 Created", "201 Created"]
    assert Prelevement.objects.count() == 1  # the negative one had no fiche to go on
    assert ResultatRecu.objects.count() == 2


def test_only_the_api_views_are_exempt_from_csrf():
    exempt = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "csrf_exempt", 0):
                exempt.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)

    assert sorted(exempt) == ["api/fhir/", "api/oauth/token"]


def test_an_admin_creates_a_client_and_reads_its_secret_once(client, administrateur, labo):
    client.force_login(administrateur)

    page = client.post(reverse("admin:api_clientapi_add"),
                       {"laboratoire": labo.pk, "nom": "SIL Cerballiance"})  # fmt: skip

    created = ClientAPI.objects.get()
    text = page.content.decode()
    assert page.status_code == 200 and "il ne sera plus jamais affiché" in text
    secret = text.split('id="client-secret">')[1].split("<")[0]
    assert created.check_client_secret(secret)
    shown_again = client.get(reverse("admin:api_clientapi_change", args=[created.pk]))
    assert shown_again.status_code == 200 and secret not in shown_again.content.decode()
    assert AuditLog.objects.filter(action="api.client_created", actor=administrateur).exists()


def test_an_admin_renews_a_secret_and_the_old_one_stops(client, administrateur, client_api):
    old_token = jeton(Client(), client_api)
    client.force_login(administrateur)

    page = client.post(reverse("admin:api_clientapi_secret", args=[client_api.pk]))

    secret = page.content.decode().split('id="client-secret">')[1].split("<")[0]
    client_api.refresh_from_db()
    assert client_api.check_client_secret(secret)
    assert not client_api.check_client_secret(client_api.secret)
    body = peer.bundle(peer.resultat(finess=FINESS, positif=False))
    response = Client().post(reverse("api:bundle"), body, content_type="application/fhir+json",
                             HTTP_AUTHORIZATION=f"Bearer {old_token}")  # fmt: skip
    assert response.status_code == 401


def test_a_client_is_only_for_a_laboratory_finess(client, administrateur, db):
    from accounts.models import LieuExercice
    from tests.factories import LieuExerciceFactory

    cabinet = LieuExerciceFactory(type_numero=LieuExercice.TypeNumero.AM)
    client.force_login(administrateur)

    page = client.post(reverse("admin:api_clientapi_add"), {"laboratoire": cabinet.pk, "nom": "x"})

    assert page.status_code == 200 and not ClientAPI.objects.exists()
    assert "Sélectionnez un choix valide" in page.content.decode()


def test_token_requests_are_throttled_per_client(client, client_api, settings):
    settings.FHIR_JETONS_PAR_MINUTE = 2
    basic = _basic(client_api.client_id, "faux")

    statuses = [
        client.post(reverse("api:token"), {"grant_type": "client_credentials"},
                    HTTP_AUTHORIZATION=basic).status_code
        for _ in range(3)
    ]  # fmt: skip

    assert statuses == [401, 401, 429]


def test_a_client_id_with_a_nul_character_is_simply_unknown(client):
    form = {"grant_type": "client_credentials", "client_id": "a\x00b", "client_secret": "x"}

    response = client.post(reverse("api:token"), form)

    assert response.status_code in (400, 401)
