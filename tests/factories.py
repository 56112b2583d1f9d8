import factory
from django.contrib.auth.hashers import make_password

from accounts.models import User

PASSWORD = "Test-Covid-2020!"
# Hashed once with Argon2 (the production hasher), then shared by every factory user.
_PASSWORD_HASH = None


def _password_hash():
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(PASSWORD)
    return _PASSWORD_HASH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.fr")
    password = factory.LazyFunction(_password_hash)


class CaisseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Caisse"
        django_get_or_create = ["nom"]

    nom = "CPAM de Bobigny (931)"
    adresse = "195 avenue Paul Vaillant Couturier"
    code_postal = "93000"
    ville = "Bobigny"
    telephone = "3608"


class ProfessionnelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Professionnel"

    civilite = "Dr"
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    profession = "medecin"
    specialite = "Médecine générale"
    nir = "180019304812323"
    iban_fin = "0140"


class LieuExerciceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.LieuExercice"

    professionnel = factory.SubFactory(ProfessionnelFactory)
    type_numero = "AM"
    numero = factory.Sequence(lambda n: f"93{n:07d}")
    adresse = "17 rue de Madeleine Brès"
    code_postal = "93100"
    ville = "Montreuil"
    caisse = factory.SubFactory(CaisseFactory)
