"""Issue 5 fixtures: where the conseiller and the ARS agent work, and fiches in and out of
their scope (shared through tracing/tests/conftest.py)."""

import pytest

from fiches.models import Collectivite
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory
from tracing.demo import CONTACT_TROUVABLE
from tracing.models import Affectation

NIR_LUCAS = CONTACT_TROUVABLE["nir"]


@pytest.fixture
def conseiller93(conseiller):
    Affectation.objects.create(user=conseiller, departements="93")
    return conseiller


@pytest.fixture
def ars_idf(agent_ars):
    Affectation.objects.create(user=agent_ars, region="FR-IDF")
    return agent_ars


@pytest.fixture
def patient93(medecin):
    return FicheFactory(
        declarant=medecin, code_postal="93100", departement="93", accord_identite="oui",
        nom="Benali", prenom="Nadia", collectivite=Collectivite.SCOLAIRE, voie="1 rue Zéro",
    )  # fmt: skip


@pytest.fixture
def contact93(patient93):
    return ContactFactory(
        origine=patient93, medecin=patient93.medecin, code_postal="93100", departement="93",
        nom="Petit", prenom="Lucas", nir=NIR_LUCAS, telephone="+33612000001",
        statut=Statut.A_CONTACTER, voie="12 rue de Paris", commune="Montreuil",
        date_naissance="2010-03-14",
    )  # fmt: skip


@pytest.fixture
def contact75(medecin):
    origine = FicheFactory(declarant=medecin, collectivite=Collectivite.CRECHE)
    return ContactFactory(
        origine=origine, medecin=medecin, code_postal="75011", departement="75",
        statut=Statut.A_CONTACTER, telephone="+33612000002",
    )  # fmt: skip
