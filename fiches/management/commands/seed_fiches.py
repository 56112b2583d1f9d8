"""Fill the database with N synthetic patients zéro and about 3 contacts each, to measure the
list and the searches at scale (README, "Scale"). Never for production data.

On PostgreSQL, `fiches.seeding` loads them with COPY, their status history and audit entries
too, the indexes built after (10 M fiches in minutes; it needs a superuser: a bench database).
Elsewhere (SQLite), or with `--orm`, bulk inserts by batches with a progress bar. Fiches are
spread over `--medecins` seed doctors, the first one getting a tenth of them (a very busy
doctor, for deep pages), over départements, statuses and six months.
"""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from accounts.models import User
from accounts.roles import Role
from fiches import seeding
from fiches.identity import departement_from_code_postal, nir_key, normalize_name
from fiches.models import ArgumentDiagnostic, Fiche, Nature, Situation
from fiches.statuses import Statut

PRENOMS = [
    "Célia",
    "Marc",
    "Christophe",
    "Paul",
    "Léa",
    "Chloé",
    "Zoé",
    "Hélène",
    "Jérôme",
    "François",
    "Noël",
    "Inès",
    "Maël",
    "Anaïs",
    "Théo",
    "Gaëlle",
    "Joël",
    "Éloïse",
    "Benoît",
    "Agnès",
    "Jean",
    "Marie",
    "Lucas",
    "Emma",
    "Hugo",
    "Louise",
    "Chloë",
    "Raphaël",
    "Cécile",
    "Stéphane",
    "Loïc",
    "Mélanie",
    "Océane",
    "Frédéric",
    "Sébastien",
]
NOMS = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Lefèvre",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "Fournier",
    "Girard",
    "Lambert",
    "Bonnet",
    "François",
    "Mercier",
    "Dupré",
    "Bérard",
    "Hervé",
    "Lemaître",
    "Noël",
    "Carré",
    "Gérard",
    "Rivière",
    "Ménard",
    "Chevalier",
    "Debreu",
    "Delorme",
    "Fabre",
    "Caron",
    "Perrin",
    "Rolland",
    "Clément",
    "Guérin",
]
CODES_POSTAUX = ["75011", "75015", "93100", "93200", "92100", "69003", "13008", "33000",
                 "59000", "31000", "44000", "67000", "35000", "20000", "20200", "97400",
                 "97100", "06000", "34000", "49100"]  # fmt: skip
CONTACT_STATUTS = [Statut.CONTACT_A_TROUVER, Statut.A_CONTACTER, Statut.PATIENT_A_RAPPELER,
                   Statut.CONTACT_NON_AVERE, Statut.APPEL_REALISE, Statut.CLOTURE]  # fmt: skip
PZ_STATUTS = [Statut.DIAGNOSTIC_CONFIRME] * 5 + [Statut.EN_ATTENTE, Statut.APPEL_REALISE,
                                                 Statut.CLOTURE]  # fmt: skip
START = datetime(2020, 5, 11, 8, tzinfo=ZoneInfo("Europe/Paris"))
SPAN = int(timedelta(days=200).total_seconds())


def _nir(rng, departement, born):
    dep = departement if departement in ("2A", "2B") else departement[:2]
    body = f"{rng.choice('12')}{born:%y%m}{dep}{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
    return body + nir_key(body)


class Command(BaseCommand):
    help = (
        "Crée N patients zéro synthétiques (≈ 3 contacts chacun) pour mesurer la montée en charge."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--medecins", type=int, default=100)
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--departement",
            help="toutes les fiches dans ce département (ex. 93 : la file d'une plateforme)",
        )
        parser.add_argument("--orm", action="store_true", help="sans COPY (lent)")
        parser.add_argument(
            "--base-de-mesure", action="store_true",
            help="confirme une base de mesure : le chargement rapide retire puis reconstruit "
                 "les index et ne vérifie pas les clés étrangères pendant le chargement",
        )  # fmt: skip

    def handle(self, *args, n, batch, medecins, seed, departement, orm, base_de_mesure, **options):
        rng = random.Random(seed)
        self.codes_postaux = CODES_POSTAUX
        if departement:
            self.codes_postaux = [f"{departement}{i:03d}" for i in range(100, 500, 100)]
        doctors = self._doctors(medecins)
        if connection.vendor == "postgresql" and not orm:
            if not base_de_mesure:
                raise CommandError(
                    "Sur PostgreSQL, le chargement rapide (COPY) retire les index des fiches, de "
                    "l'historique et du journal le temps du chargement : réservé à une base de "
                    "mesure. Confirmez avec --base-de-mesure, ou chargez lentement avec --orm."
                )
            return self._copy(n, doctors, seed, verbose=options["verbosity"] > 0)
        weights = [len(doctors) / 9] + [1] * (len(doctors) - 1)  # the first has ~10 %
        created = 0
        with tqdm(total=n, unit="patient zéro", disable=options["verbosity"] == 0) as bar:
            while created < n:
                size = min(batch, n - created)
                with transaction.atomic():
                    pzs = [self._fiche(rng, rng.choices(doctors, weights)[0]) for _ in range(size)]
                    Fiche.objects.bulk_create(pzs)
                    contacts = []
                    for pz in pzs:
                        for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
                            contacts.append(self._fiche(rng, pz.declarant, origine=pz))
                    Fiche.objects.bulk_create(contacts, batch_size=batch)
                created += size
                bar.update(size)
        self.stdout.write(
            self.style.SUCCESS(f"{created} patients zéro créés, avec leurs contacts.")
        )

    def _copy(self, n, doctors, seed, *, verbose):
        if not seeding.superuser():
            raise CommandError(
                "Le chargement rapide (COPY) demande un superutilisateur PostgreSQL (base de "
                "mesure) ; sinon : --orm."
            )
        with tqdm(unit="fiche", disable=not verbose) as bar:
            report = seeding.copy_seed(
                n=n, doctors=doctors, codes_postaux=self.codes_postaux, prenoms=PRENOMS,
                noms=NOMS, seed=seed, progress=lambda count: bar.update(count - bar.n),
            )  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"{n} patients zéro créés : {report}"))

    def _doctors(self, count):
        group = Group.objects.get_or_create(name=Role.MEDECIN.value)[0]
        doctors = []
        for i in range(count):
            user, was_created = User.objects.get_or_create(
                username=f"seed.medecin{i}",
                defaults={
                    "civilite": "Dr",
                    "first_name": "Médecin",
                    "last_name": f"Seed {i}",
                    "email": f"seed.medecin{i}@exemple.invalid",
                },  # fmt: skip
            )
            if was_created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(group)
            doctors.append(user)
        return doctors

    def _fiche(self, rng, doctor, origine=None):
        prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
        code_postal = rng.choice(self.codes_postaux)
        departement = departement_from_code_postal(code_postal)
        created_at = START + timedelta(seconds=rng.randrange(SPAN))
        if origine is not None:
            created_at = max(
                created_at, origine.created_at + timedelta(minutes=rng.randint(5, 600))
            )
        statut = rng.choice(CONTACT_STATUTS if origine else PZ_STATUTS)
        born = date(rng.randint(1930, 1999), rng.randint(1, 12), rng.randint(1, 28))
        known = rng.random()
        return Fiche(
            nature=Nature.CONTACT if origine else Nature.PATIENT_ZERO,
            origine=origine,
            nir=_nir(rng, departement, born) if origine is None or known < 0.4 else "",
            date_naissance=born if origine is None or known < 0.7 else None,
            nom=nom,
            prenom=prenom,
            nom_normalise=normalize_name(nom),
            prenom_normalise=normalize_name(prenom),
            telephone=f"+336{rng.randint(10_000_000, 99_999_999)}",
            code_postal=code_postal,
            departement=departement,
            situation=rng.choice(Situation.values),
            argument_diagnostic="" if origine else ArgumentDiagnostic.RT_PCR,
            information_patient=origine is None,
            meme_foyer=origine is not None and rng.random() < 0.5,
            declarant=doctor,
            medecin=doctor,
            created_at=created_at,
            statut=statut,
            statut_depuis=created_at + timedelta(hours=rng.randint(0, 72)),
            # Like a call without an answer: a recall planned, a day or two after it.
            rappel_le=(
                created_at + timedelta(hours=rng.randint(24, 96))
                if statut == Statut.PATIENT_A_RAPPELER
                else None
            ),
        )
