"""Demo référentiel and accounts for `python manage.py load_demo`: one per role, all with
DEMO_PASSWORD.

Idempotent: running it again changes nothing that is already there.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Caisse, LieuExercice, Professionnel, User
from accounts.roles import Role

DEMO_PASSWORD = "Demo-Covid-2020!"  # noqa: S105 (public demo password, printed in README.md)

CAISSES = {
    "bobigny": {
        "nom": "CPAM de Bobigny (931)",
        "adresse": "195 avenue Paul Vaillant Couturier",
        "code_postal": "93000",
        "ville": "Bobigny",
        "telephone": "3608",
    },
    "paris": {
        "nom": "CPAM de Paris (751)",
        "adresse": "21 rue Georges Auric",
        "code_postal": "75019",
        "ville": "Paris",
        "telephone": "3608",
    },
}

# The référentiel: (key, professionnel fields, [(numero, type, libellé, adresse, cp, ville,
# caisse)]). The key links a demo account to its entry; None = in the référentiel, no account.
AM, FINESS = LieuExercice.TypeNumero.AM, LieuExercice.TypeNumero.FINESS
REFERENTIEL = [
    ("sophie.generaliste",
     {"civilite": "Dr", "nom": "Généraliste", "prenom": "Sophie", "profession": "medecin",
          "specialite": "Médecine générale", "situation_conventionnelle": "Conventionné secteur 1",
          "nir": "275089312345675", "iban_fin": "7612"},
     [("931234561", AM, "Cabinet", "17 rue de Madeleine Brès", "93100", "Montreuil", "bobigny"),
      ("751234568", AM, "Cabinet", "42 rue Oberkampf", "75011", "Paris", "paris")]),
    ("yves.olivier",
     {"civilite": "Dr", "nom": "Olivier", "prenom": "Yves", "profession": "medecin",
          "specialite": "Médecine générale",
          "situation_conventionnelle": "Conventionné honoraires libres",
          "nir": "165079305512362", "iban_fin": "3310"},
     [("930000013", AM, "Cabinet", "3 place de la République", "93100", "Montreuil", "bobigny")]),
    ("anne.martin",
     {"civilite": "Dr", "nom": "Martin", "prenom": "Anne", "profession": "medecin",
          "specialite": "Médecine générale", "situation_conventionnelle": "Conventionné secteur 1",
          "nir": "278119305598730", "iban_fin": "5521"},
     [("930000021", AM, "Cabinet", "3 place de la République", "93100", "Montreuil", "bobigny")]),
    ("labo.biodemo",
     {"raison_sociale": "Laboratoire BIO DEMO", "profession": "biologiste",
          "specialite": "Biologie médicale"},
     [("930012349", FINESS, "Laboratoire", "8 avenue Jean Jaurès", "93300", "Aubervilliers",
       "bobigny")]),
    ("pharmacie.demo",
     {"raison_sociale": "Pharmacie DEMO", "profession": "pharmacien", "specialite": "Officine"},
     [("930054325", FINESS, "Officine", "25 rue de Paris", "93100", "Montreuil", "bobigny")]),
    (None,
     {"civilite": "Dr", "nom": "Nouveau", "prenom": "Paul", "profession": "medecin",
          "specialite": "Médecine générale", "situation_conventionnelle": "Conventionné secteur 1",
          "nir": "180019304812323", "iban_fin": "0140"},
     [("931111116", AM, "Cabinet", "5 rue Carnot", "93100", "Montreuil", "bobigny")]),
    (None,
     {"raison_sociale": "Pharmacie NOUVELLE", "profession": "pharmacien", "specialite": "Officine"},
     [("930099999", FINESS, "Officine", "12 boulevard Rouget de Lisle", "93100", "Montreuil",
       "bobigny")]),
]  # fmt: skip

SHARED_EMAIL = "cabinet.republique@demo.contact-covid.fr"

DEMO_USERS = [
    # username, role, civilité, prénom, nom, e-mail
    ("sophie.generaliste", Role.MEDECIN, "Dr", "Sophie", "Généraliste",
     "sophie.generaliste@demo.contact-covid.fr"),
    ("yves.olivier", Role.MEDECIN, "Dr", "Yves", "Olivier", SHARED_EMAIL),
    ("anne.martin", Role.MEDECIN, "Dr", "Anne", "Martin", SHARED_EMAIL),
    ("labo.biodemo", Role.BIOLOGISTE, "", "", "Laboratoire BIO DEMO",
     "labo.biodemo@demo.contact-covid.fr"),
    ("pharmacie.demo", Role.PHARMACIEN, "", "", "Pharmacie DEMO",
     "pharmacie.demo@demo.contact-covid.fr"),
    ("conseiller.cpam93", Role.CONSEILLER, "M.", "Karim", "Conseiller",
     "conseiller.cpam93@demo.contact-covid.fr"),
    ("agent.ars-idf", Role.ARS, "Mme", "Inès", "Agent",
     "agent.ars-idf@demo.contact-covid.fr"),
    ("admin", Role.ADMIN, "", "Admin", "Contact COVID", "admin@demo.contact-covid.fr"),
]  # fmt: skip

# Dr OLIVIER has never signed in: he sees the welcome window and the e-mail declaration.
NEVER_SIGNED_IN = {"yves.olivier"}


def load_referentiel():
    caisses = {
        key: Caisse.objects.get_or_create(nom=fields["nom"], defaults=fields)[0]
        for key, fields in CAISSES.items()
    }
    professionnels = {}
    for key, fields, lieux in REFERENTIEL:
        first_numero = lieux[0][0]
        existing = LieuExercice.objects.filter(numero=first_numero).first()
        pro = existing.professionnel if existing else Professionnel.objects.create(**fields)
        for numero, type_numero, libelle, adresse, code_postal, ville, caisse in lieux:
            LieuExercice.objects.get_or_create(
                numero=numero,
                defaults={
                    "professionnel": pro,
                    "type_numero": type_numero,
                    "libelle": libelle,
                    "adresse": adresse,
                    "code_postal": code_postal,
                    "ville": ville,
                    "caisse": caisses[caisse],
                },
            )
        if key:
            professionnels[key] = pro
    return professionnels


@transaction.atomic
def load_demo_accounts(stdout=None):
    professionnels = load_referentiel()
    for username, role, civilite, first_name, last_name, email in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "civilite": civilite,
                "first_name": first_name,
                "last_name": last_name,
                "email": email,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "bienvenue_vue": username not in NEVER_SIGNED_IN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        pro = professionnels.get(username)
        if pro is not None and user.professionnel_id is None and not hasattr(pro, "compte"):
            user.professionnel = pro
            user.save(update_fields=["professionnel"])
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        if stdout is not None and created:
            stdout.write(f"  compte {role.label} : {email}")
