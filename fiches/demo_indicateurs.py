"""A month of activity for the « Tableau de bord » of the demo (`manage.py load_demo`):
patients zéro and contacts in Île-de-France, reached after minutes or days, some promoted, then
the rollup computed over the month. These fiches carry no identity (as if already purged) and
belong to an account nobody signs in with: they only feed the figures.

Idempotent: the history is written once (found again by its account).
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from fiches import indicateurs
from fiches.models import Fiche, Nature, StatusChange
from fiches.statuses import Statut

ACCOUNT = "historique@demo.contact-covid.fr"
DAYS = 30
DEPARTEMENTS = {"93": 6, "75": 8, "77": 3, "92": 4, "94": 4}  # patients zéro a day, at most


@transaction.atomic
def load_demo_indicateurs(stdout=None):
    user, created = User.objects.get_or_create(
        email=ACCOUNT,
        defaults={"first_name": "Historique", "last_name": "DÉMO", "is_active": False},
    )
    if created or not Fiche.objects.filter(declarant=user).exists():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        count = _history(user)
        if stdout:
            stdout.write(f"  {count} fiches d'historique pour le tableau de bord")
    report = indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=DAYS))
    if stdout:
        stdout.write(f"  {report}")


def _history(user) -> int:
    rng = random.Random(2020)
    now = timezone.now()
    start = now - timedelta(days=DAYS)
    pzs = []
    for day in range(DAYS):
        wave = 0.5 + day / DAYS  # a rising epidemic
        for departement, peak in DEPARTEMENTS.items():
            for _ in range(rng.randint(0, round(peak * wave))):
                created = start + timedelta(days=day, minutes=rng.randrange(8 * 60, 20 * 60))
                pzs.append(_fiche(user, Nature.PATIENT_ZERO, departement, created, None, now))
    pzs = Fiche.objects.bulk_create(pzs)
    contacts = []
    for pz in pzs:
        for _ in range(rng.choice([0, 1, 2, 2, 3, 3, 4, 6])):
            created = pz.created_at + timedelta(minutes=rng.randrange(5, 180))
            if created < now:
                contacts.append(_fiche(user, Nature.CONTACT, pz.departement, created, pz, now))
    contacts = Fiche.objects.bulk_create(contacts)
    changes = []
    for contact in contacts:
        if rng.random() < 0.85:  # reached: mostly within the day, some later
            delay = timedelta(minutes=rng.choice([20, 45, 90, 180, 300, 600, 1200, 2000, 3500]))
            at = contact.created_at + delay + timedelta(minutes=rng.randrange(30))
            if at < now:
                changes.append(StatusChange(
                    fiche=contact, from_statut=Statut.A_CONTACTER,
                    to_statut=Statut.APPEL_REALISE, by=user, at=at))  # fmt: skip
                if rng.random() < 0.08 and at + timedelta(days=2) < now:
                    changes.append(StatusChange(
                        fiche=contact, from_statut=Statut.APPEL_REALISE,
                        to_statut=Statut.DIAGNOSTIC_CONFIRME, by=user,
                        at=at + timedelta(days=2), motif="Contact devenu patient zéro (RT-PCR)",
                    ))  # fmt: skip
    StatusChange.objects.bulk_create(changes)
    return len(pzs) + len(contacts)


def _fiche(user, nature, departement, created, origine, now) -> Fiche:
    return Fiche(
        nature=nature, origine=origine, departement=departement, declarant=user, medecin=user,
        created_at=created, statut=Statut.CLOTURE, statut_depuis=created + timedelta(days=14)
        if created + timedelta(days=14) < now else created, purgee_le=now,
    )  # fmt: skip
