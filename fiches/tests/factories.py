import random

import factory
from django.utils import timezone

from fiches.identity import nir_key, normalize_name
from fiches.models import Beneficiaire, Fiche, Nature
from fiches.statuses import Statut


def random_nir(rng=random):
    body = (
        f"{rng.choice('12')}{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}"
        f"{rng.choice(['75', '93', '69', '2A', '2B', '13'])}{rng.randint(1, 999):03d}"
        f"{rng.randint(1, 999):03d}"
    )
    return body + nir_key(body)


class FicheFactory(factory.django.DjangoModelFactory):
    """A validated patient zéro (tests set up state; screens go through the services)."""

    class Meta:
        model = Fiche

    nature = Nature.PATIENT_ZERO
    nir = factory.LazyFunction(random_nir)
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    nom_normalise = factory.LazyAttribute(lambda f: normalize_name(f.nom))
    prenom_normalise = factory.LazyAttribute(lambda f: normalize_name(f.prenom))
    code_postal = "75011"
    departement = "75"
    information_patient = True
    declarant = factory.SubFactory("tests.factories.UserFactory")
    medecin = factory.LazyAttribute(lambda f: f.declarant)
    statut = Statut.DIAGNOSTIC_CONFIRME
    created_at = factory.LazyFunction(timezone.now)
    statut_depuis = factory.LazyFunction(timezone.now)


class ContactFactory(FicheFactory):
    nature = Nature.CONTACT
    nir = ""
    origine = factory.SubFactory(FicheFactory)
    declarant = factory.LazyAttribute(lambda f: f.origine.declarant)
    statut = Statut.CONTACT_A_TROUVER


class BeneficiaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiaire

    nir = factory.LazyFunction(random_nir)
    nom = "SHNEIDEZ"
    prenom = "Kevan"
    regime = "Établissement National des Invalides de la Marine"
    caisse = "ENIM - CLP Lorient"
