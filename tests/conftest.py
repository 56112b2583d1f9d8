import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from tests.factories import UserFactory


def _user_with_role(role, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


@pytest.fixture
def medecin(db):
    return _user_with_role(
        Role.MEDECIN, civilite="Dr", first_name="Sophie", last_name="Généraliste"
    )


@pytest.fixture
def autre_medecin(db):
    return _user_with_role(Role.MEDECIN, civilite="Dr", first_name="Paul", last_name="Autre")


@pytest.fixture
def conseiller(db):
    return _user_with_role(Role.CONSEILLER)


@pytest.fixture
def biologiste(db):
    return _user_with_role(Role.BIOLOGISTE)


@pytest.fixture
def pharmacien(db):
    return _user_with_role(Role.PHARMACIEN)


@pytest.fixture
def agent_ars(db):
    return _user_with_role(Role.ARS)


@pytest.fixture
def administrateur(db):
    return _user_with_role(Role.ADMIN, is_staff=True, is_superuser=True)
