import base64

import pytest
from django.urls import reverse

from accounts.models import LieuExercice
from api import services
from tests.conftest import (  # noqa: F401 (fixtures)
    administrateur,
    agent_ars,
    autre_medecin,
    biologiste,
    conseiller,
    medecin,
    pharmacien,
)
from tests.factories import LieuExerciceFactory, ProfessionnelFactory
from tracing.tests.fixtures import conseiller93, contact93, patient93  # noqa: F401

FINESS = "930000017"
AUTRE_FINESS = "750000019"


def laboratoire(numero, nom="BIO DEMO"):
    pro = ProfessionnelFactory(profession="biologiste", civilite="", nom="", prenom="",
                               raison_sociale=f"Laboratoire {nom}")  # fmt: skip
    return LieuExerciceFactory(professionnel=pro, numero=numero,
                               type_numero=LieuExercice.TypeNumero.FINESS)  # fmt: skip


@pytest.fixture
def labo(db):
    return laboratoire(FINESS)


@pytest.fixture
def client_api(labo, administrateur):  # noqa: F811 (the fixture)
    client, secret = services.client_create(laboratoire=labo, nom="SIL Démo", by=administrateur)
    client.secret = secret
    return client


def jeton(client, client_api) -> str:
    """A token obtained as a laboratory's system does: client_credentials, HTTP Basic."""
    basic = base64.b64encode(f"{client_api.client_id}:{client_api.secret}".encode()).decode()
    response = client.post(
        reverse("api:token"), {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def poster(client, client_api):
    """Post a bundle with the client's bearer token."""
    token = jeton(client, client_api)

    def post(body, **headers):
        return client.post(
            reverse("api:bundle"), body, content_type="application/fhir+json",
            HTTP_AUTHORIZATION=f"Bearer {token}", **headers,
        )  # fmt: skip

    post.token = token
    return post
