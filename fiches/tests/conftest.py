# The cast of users (one per role) lives in tests/conftest.py; share it here.
from tests.conftest import (  # noqa: F401
    administrateur,
    agent_ars,
    autre_medecin,
    biologiste,
    conseiller,
    medecin,
    pharmacien,
)
from tracing.tests.fixtures import ars_idf, conseiller93  # noqa: E402, F401 (fixtures)
