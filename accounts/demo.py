"""Demo accounts for `python manage.py load_demo`: one per role, all with DEMO_PASSWORD.

Idempotent: running it again changes nothing that is already there.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import Role

DEMO_PASSWORD = "Demo-Covid-2020!"  # noqa: S105 (public demo password, printed in README.md)

DEMO_USERS = [
    # username, role, civilité, prénom, nom, e-mail
    ("sophie.generaliste", Role.MEDECIN, "Dr", "Sophie", "Généraliste",
     "sophie.generaliste@demo.contact-covid.fr"),
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


@transaction.atomic
def load_demo_accounts(stdout=None):
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
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role.value))
        if stdout is not None and created:
            stdout.write(f"  compte {role.label} : {email}")
