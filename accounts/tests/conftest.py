import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from tests.factories import LieuExerciceFactory, ProfessionnelFactory, UserFactory


def professional_account(*, numeros, profession="medecin", type_numero="AM", **user_kwargs):
    pro = ProfessionnelFactory(profession=profession)
    for numero in numeros:
        LieuExerciceFactory(professionnel=pro, numero=numero, type_numero=type_numero)
    user = UserFactory(
        professionnel=pro,
        civilite=pro.civilite,
        first_name=pro.prenom,
        last_name=pro.nom,
        bienvenue_vue=True,
        **user_kwargs,
    )
    user.groups.add(Group.objects.get_or_create(name=Role.MEDECIN.value)[0])
    return user


@pytest.fixture
def docteur(db):
    """A doctor with two practice places (AM 931234561 and 751234568) and a personal e-mail."""
    return professional_account(
        numeros=["931234561", "751234568"], email="sophie@cabinet-sophie.fr"
    )


@pytest.fixture
def pharmacie(db):
    pro = ProfessionnelFactory(
        profession="pharmacien",
        civilite="",
        nom="",
        prenom="",
        raison_sociale="Pharmacie DEMO",
        nir="",
        iban_fin="",
    )
    LieuExerciceFactory(professionnel=pro, numero="930054325", type_numero="FINESS")
    user = UserFactory(
        professionnel=pro,
        last_name="Pharmacie DEMO",
        email="pharmacie@exemple.fr",
        bienvenue_vue=True,
    )
    return user
