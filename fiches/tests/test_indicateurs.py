"""The indicators' rollup: every figure equals a direct computation on the same fiches."""

import math
import random
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from fiches import indicateurs
from fiches.geography import region_for_departement
from fiches.indicateurs import add_dense, delai_bucket, dense, median_bucket
from fiches.models import Fiche, IndicateurJour, Nature, StatusChange
from fiches.models_indicateurs import Niveau, Periode
from fiches.selectors_indicateurs import Perimetre, tableau
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory

pytestmark = pytest.mark.django_db

DEPARTEMENTS = ["93", "75", "77", "2A", "69", ""]
CONTACT_STEPS = [Statut.CONTACT_A_TROUVER, Statut.A_CONTACTER, Statut.PATIENT_A_RAPPELER]


def generate(user, *, now, days=12, seed=13):
    """Patients zéro and contacts over `days` days, at any hour (midnights included), some
    drafts, contacts reached after minutes or days (sometimes called twice), some promoted on a
    later day, recalls due and to come: what the rollup must count."""
    rng = random.Random(seed)
    fiches, changes = [], []
    start = now - timedelta(days=days)
    for _ in range(60):
        created = start + timedelta(minutes=rng.randrange(days * 24 * 60))
        fiches.append(
            Fiche(
                nature=Nature.PATIENT_ZERO, departement=rng.choice(DEPARTEMENTS),
                created_at=created, statut_depuis=created, statut=Statut.DIAGNOSTIC_CONFIRME,
                brouillon=rng.random() < 0.1, declarant=user, medecin=user,
                rappel_le=created + timedelta(hours=rng.choice([1, 400])) if rng.random() < 0.2
                else None,
            )
        )  # fmt: skip
    Fiche.objects.bulk_create(fiches)
    pzs = list(Fiche.objects.filter(nature=Nature.PATIENT_ZERO))
    contacts = []
    for _ in range(400):
        origine = rng.choice(pzs)
        created = origine.created_at + timedelta(minutes=rng.randrange(4 * 24 * 60))
        if created > now:
            created = now - timedelta(minutes=rng.randrange(1, 600))
        contacts.append(
            Fiche(
                nature=Nature.CONTACT, origine=origine, departement=rng.choice(DEPARTEMENTS),
                created_at=created, statut_depuis=created, statut=rng.choice(CONTACT_STEPS),
                brouillon=rng.random() < 0.05, declarant=user, medecin=user,
                rappel_le=created + timedelta(hours=rng.choice([2, 300]))
                if rng.random() < 0.3 else None,
            )
        )  # fmt: skip
    Fiche.objects.bulk_create(contacts)
    for contact in Fiche.objects.filter(nature=Nature.CONTACT):
        moment = contact.created_at
        if rng.random() < 0.7:  # reached, after a delay from minutes to days
            moment = moment + timedelta(minutes=rng.choice([5, 50, 600, 1439, 1441, 3000, 25000]))
            moment = moment + timedelta(seconds=rng.randrange(600))
            if moment < now:
                changes.append(StatusChange(
                    fiche=contact, from_statut=contact.statut, to_statut=Statut.APPEL_REALISE,
                    by=user, at=moment))  # fmt: skip
                if rng.random() < 0.2:  # a second call, later: only the first counts
                    changes.append(StatusChange(fiche=contact, from_statut=Statut.APPEL_REALISE,
                                                to_statut=Statut.APPEL_REALISE, by=user,
                                                at=moment + timedelta(hours=5)))  # fmt: skip
        if rng.random() < 0.15 and not contact.brouillon:  # promoted, a day or two later
            promoted = moment + timedelta(hours=rng.choice([3, 30, 50]))
            if promoted < now:
                changes.append(StatusChange(fiche=contact, from_statut=Statut.APPEL_REALISE,
                                            to_statut=Statut.DIAGNOSTIC_CONFIRME, by=user,
                                            at=promoted))  # fmt: skip
    StatusChange.objects.bulk_create(changes)


def oracle(now):
    """The figures per (day, département), computed directly from the tables: in SQL on
    PostgreSQL (percentile_disc for the median), from plain rows elsewhere."""
    if connection.vendor == "postgresql":
        return _oracle_sql()
    return _oracle_rows()


def _oracle_sql():
    figures = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH premier AS (
                SELECT fiche_id, min("at") AS "at" FROM fiches_statuschange
                WHERE to_statut = 'appel_realise' GROUP BY fiche_id
            )
            SELECT (f.created_at AT TIME ZONE 'Europe/Paris')::date, f.departement,
                count(*) FILTER (WHERE f.origine_id IS NULL),
                count(*) FILTER (WHERE f.origine_id IS NOT NULL),
                count(p."at") FILTER (WHERE f.origine_id IS NOT NULL),
                count(*) FILTER (WHERE f.origine_id IS NOT NULL
                                 AND p."at" - f.created_at <= interval '24 hours'),
                percentile_disc(0.5) WITHIN GROUP (
                    ORDER BY extract(epoch FROM p."at" - f.created_at) / 60
                ) FILTER (WHERE f.origine_id IS NOT NULL AND p."at" IS NOT NULL)
            FROM fiches_fiche f LEFT JOIN premier p ON p.fiche_id = f.id
            WHERE NOT f.brouillon
            GROUP BY 1, 2
            """
        )
        for day, dep, pz, contacts, joints, joints_24h, median in cursor.fetchall():
            figures[(day, dep)] |= {
                "pz_declares": pz, "contacts": contacts, "joints": joints,
                "joints_24h": joints_24h,
                "median": None if median is None else delai_bucket(float(median)),
            }  # fmt: skip
        cursor.execute(
            """
            SELECT (sc."at" AT TIME ZONE 'Europe/Paris')::date, f.departement, count(*)
            FROM fiches_statuschange sc JOIN fiches_fiche f ON f.id = sc.fiche_id
            WHERE sc.to_statut = 'diagnostic_confirme' AND sc.from_statut IN
                ('contact_a_trouver', 'a_contacter', 'patient_a_rappeler', 'contact_non_avere',
                 'appel_realise')
            GROUP BY 1, 2
            """
        )
        for day, dep, n in cursor.fetchall():
            figures[(day, dep)]["promotions"] = n
    return figures


def _oracle_rows():
    figures = defaultdict(lambda: defaultdict(int))
    first = {}
    for fiche_id, at in StatusChange.objects.filter(to_statut="appel_realise").values_list(
        "fiche_id", "at"
    ):
        first[fiche_id] = min(at, first.get(fiche_id, at))
    delays = defaultdict(list)
    for pk, dep, origine, created, brouillon in Fiche.objects.values_list(
        "pk", "departement", "origine_id", "created_at", "brouillon"
    ):
        if brouillon:
            continue
        key = (timezone.localdate(created), dep)
        if origine is None:
            figures[key]["pz_declares"] += 1
            continue
        figures[key]["contacts"] += 1
        if pk in first:
            delay = first[pk] - created
            figures[key]["joints"] += 1
            figures[key]["joints_24h"] += delay <= timedelta(hours=24)
            delays[key].append(delay.total_seconds() / 60)
    for key, values in delays.items():
        values.sort()
        figures[key]["median"] = delai_bucket(values[math.ceil(len(values) / 2) - 1])
    for at, dep in StatusChange.objects.filter(
        to_statut="diagnostic_confirme", from_statut__in=CONTACT_STEPS + ["appel_realise"]
    ).values_list("at", "fiche__departement"):
        figures[(timezone.localdate(at), dep)]["promotions"] += 1
    return figures


def queue_oracle(now):
    """The queue per département, straight from its definition (DOMAIN.md's statuses)."""
    sizes = Counter()
    for statut, rappel, nature, dep in Fiche.objects.filter(
        purgee_le__isnull=True, brouillon=False
    ).values_list("statut", "rappel_le", "nature", "departement"):
        due = rappel is not None and rappel <= now
        waiting = (
            statut in ("a_contacter", "contact_a_trouver")
            or (statut in ("patient_a_rappeler", "diagnostic_confirme") and due)
            or (statut == "diagnostic_confirme" and rappel is None and nature == "patient_zero")
        )
        sizes[dep] += waiting
    return {dep: n for dep, n in sizes.items() if n}


def rollup_figures():
    rows = IndicateurJour.objects.filter(niveau=Niveau.DEPARTEMENT, periode=Periode.JOUR)
    return {
        (row.jour, row.zone): {
            "pz_declares": row.pz_declares,
            "contacts": row.contacts,
            "joints": row.joints,
            "joints_24h": row.joints_24h,
            "promotions": row.promotions,
            "median": median_bucket(row.delais),
        }  # fmt: skip
        for row in rows
    }


def _normalised(figures):
    keys = ("pz_declares", "contacts", "joints", "joints_24h", "promotions")
    out = {}
    for key, values in figures.items():
        row = {k: values.get(k, 0) for k in keys} | {"median": values.get("median")}
        if any(row[k] for k in keys):
            out[key] = row
    return out


def test_every_figure_of_every_day_and_departement_equals_a_direct_computation(medecin):
    now = timezone.now()
    generate(medecin, now=now)

    report = indicateurs.rollup(now=now, depuis=timezone.localdate(now) - timedelta(days=20))

    assert len(report.jours) == 21
    expected = _normalised(oracle(now))
    assert len(expected) > 40  # days × départements with something to count
    assert _normalised(rollup_figures()) == expected
    today = timezone.localdate(now)
    queue = {
        row.zone: row.file_taille
        for row in IndicateurJour.objects.filter(niveau=Niveau.DEPARTEMENT, jour=today, periode="j")
        if row.file_taille
    }
    assert queue == queue_oracle(now)


def test_regions_and_the_country_are_the_sums_of_their_departements(medecin):
    now = timezone.now()
    generate(medecin, now=now, seed=7)
    indicateurs.rollup(now=now, depuis=timezone.localdate(now) - timedelta(days=20))

    sums = defaultdict(Counter)
    for row in IndicateurJour.objects.filter(niveau=Niveau.DEPARTEMENT, periode=Periode.JOUR):
        figures = Counter(pz=row.pz_declares, contacts=row.contacts, joints_24h=row.joints_24h,
                          promotions=row.promotions, file=row.file_taille or 0)  # fmt: skip
        sums[(Niveau.NATIONAL, "FR", row.jour)].update(figures)
        if region_for_departement(row.zone):
            sums[(Niveau.REGION, region_for_departement(row.zone), row.jour)].update(figures)
    totals = {}
    for row in IndicateurJour.objects.filter(periode=Periode.JOUR).exclude(
        niveau=Niveau.DEPARTEMENT
    ):
        totals[(row.niveau, row.zone, row.jour)] = Counter(
            pz=row.pz_declares, contacts=row.contacts, joints_24h=row.joints_24h,
            promotions=row.promotions, file=row.file_taille or 0,
        )  # fmt: skip
    assert {k: +v for k, v in totals.items()} == {k: +v for k, v in sums.items()}
    assert any(zone == "FR-IDF" for _, zone, _ in totals)


def test_a_period_over_several_zones_has_the_exact_median_of_all_its_contacts(medecin):
    now = timezone.now()
    generate(medecin, now=now, seed=3)
    today = timezone.localdate(now)
    indicateurs.rollup(now=now, depuis=today - timedelta(days=20))
    du = today - timedelta(days=9)

    perimetre = Perimetre(
        libelle="Île-de-France", niveau=Niveau.REGION, zones=("FR-IDF",),
        detail_niveau=Niveau.DEPARTEMENT, detail_zones=("75", "77", "93"),
        detail_libelle="Département",
    )  # fmt: skip
    result = tableau(perimetre, du=du, au=today, today=today)

    first = {}
    for fiche_id, at in StatusChange.objects.filter(to_statut="appel_realise").values_list(
        "fiche_id", "at"
    ):
        first[fiche_id] = min(at, first.get(fiche_id, at))
    delays = sorted(
        (first[pk] - created).total_seconds() / 60
        for pk, created in Fiche.objects.filter(
            departement__in=["75", "77", "93"], origine__isnull=False, brouillon=False,
            pk__in=list(first),
        ).values_list("pk", "created_at")
        if du <= timezone.localdate(created) <= today
    )  # fmt: skip
    lower_median = delays[math.ceil(len(delays) / 2) - 1]
    assert result.total.delai_median == indicateurs.DELAI_BUCKETS[delai_bucket(lower_median)]
    assert result.total.joints == len(delays)
    assert [ligne.libelle for ligne in result.zones] == [
        "75 — Paris", "77 — Seine-et-Marne", "93 — Seine-Saint-Denis"
    ]  # fmt: skip
    assert sum(ligne.contacts for ligne in result.zones) == result.total.contacts
    assert len(result.jours) == 10


def test_a_contact_reached_today_counts_in_the_cohort_of_the_day_it_was_named(medecin):
    now = timezone.now()
    named = now - timedelta(days=6)
    contact = ContactFactory(created_at=named, statut_depuis=named, departement="93",
                             statut=Statut.A_CONTACTER, declarant=medecin)  # fmt: skip
    indicateurs.rollup(now=now - timedelta(hours=1))
    StatusChange.objects.create(fiche=contact, from_statut=Statut.A_CONTACTER,
                                to_statut=Statut.APPEL_REALISE, by=medecin, at=now)  # fmt: skip

    report = indicateurs.rollup(now=now + timedelta(minutes=5))

    assert timezone.localdate(named) in report.jours
    row = IndicateurJour.objects.get(niveau=Niveau.DEPARTEMENT, zone="93", periode="j",
                                     jour=timezone.localdate(named))  # fmt: skip
    assert (row.contacts, row.joints, row.joints_24h) == (1, 1, 0)
    assert median_bucket(row.delais) == delai_bucket(6 * 24 * 60)


def test_a_promotion_counts_on_the_day_it_happens(medecin):
    now = timezone.now()
    named = now - timedelta(days=3)
    contact = ContactFactory(created_at=named, statut_depuis=named, departement="93",
                             statut=Statut.APPEL_REALISE, declarant=medecin)  # fmt: skip
    indicateurs.rollup(now=now - timedelta(hours=1))
    StatusChange.objects.create(
        fiche=contact, from_statut=Statut.APPEL_REALISE, to_statut=Statut.DIAGNOSTIC_CONFIRME,
        by=medecin, at=now,
    )  # fmt: skip

    indicateurs.rollup(now=now + timedelta(minutes=1))

    today = IndicateurJour.objects.get(
        niveau=Niveau.NATIONAL, periode="j", jour=timezone.localdate(now)
    )
    assert today.promotions == 1
    before = IndicateurJour.objects.get(
        niveau=Niveau.NATIONAL, periode="j", jour=timezone.localdate(named)
    )
    assert (before.contacts, before.promotions) == (1, 0)


def test_recomputing_a_past_day_keeps_the_queue_it_had_that_day(medecin):
    yesterday_evening = timezone.now() - timedelta(days=1)
    FicheFactory(departement="93", declarant=medecin, created_at=yesterday_evening,
                 statut_depuis=yesterday_evening)  # fmt: skip
    indicateurs.rollup(now=yesterday_evening)
    Fiche.objects.update(statut=Statut.APPEL_REALISE)  # called since: the queue is empty now

    indicateurs.rollup(depuis=timezone.localdate(yesterday_evening) - timedelta(days=2))

    row = IndicateurJour.objects.get(niveau=Niveau.DEPARTEMENT, zone="93", periode="j",
                                     jour=timezone.localdate(yesterday_evening))  # fmt: skip
    assert row.file_taille == 1
    assert row.pz_declares == 1
    today = IndicateurJour.objects.filter(niveau=Niveau.DEPARTEMENT, zone="93", periode="j",
                                          jour=timezone.localdate()).first()  # fmt: skip
    assert today.file_taille == 0  # counted, and empty


def test_a_second_run_with_nothing_new_gives_the_same_rows(medecin):
    now = timezone.now()
    generate(medecin, now=now, days=3, seed=5)
    indicateurs.rollup(now=now, depuis=timezone.localdate(now) - timedelta(days=5))
    before = rollup_figures()

    indicateurs.rollup(now=now + timedelta(minutes=5))

    assert rollup_figures() == before


def test_the_median_is_the_lower_median_of_the_buckets():
    assert median_bucket([]) is None and median_bucket([0, 0]) is None
    assert median_bucket(dense(Counter({3: 1, 10: 1}))) == 3  # ⌈2/2⌉ = 1st
    assert median_bucket(dense(Counter({3: 1, 10: 2}))) == 10  # ⌈3/2⌉ = 2nd
    assert add_dense([1, 2], [0, 0, 5]) == [1, 2, 5] == add_dense([0, 0, 5], [1, 2])
    assert delai_bucket(0) == 0 and delai_bucket(14.9) == 0 and delai_bucket(15) == 1
    assert indicateurs.DELAI_BUCKETS[delai_bucket(24 * 60)] == 24 * 60
    assert indicateurs.DELAI_BUCKETS[delai_bucket(10**7)] == 14 * 24 * 60
    for minutes in (0, 14, 15, 600, 1439, 1440, 3000, 4319, 4320, 20159, 20160):
        assert indicateurs.DELAI_BUCKETS[delai_bucket(minutes)] <= minutes


def test_each_month_row_is_the_sum_of_its_days(medecin):
    now = timezone.now()
    generate(medecin, now=now, days=40, seed=11)
    indicateurs.rollup(now=now, depuis=timezone.localdate(now) - timedelta(days=45))

    sums = defaultdict(lambda: [0, 0, 0, 0, 0, []])
    for row in IndicateurJour.objects.filter(periode=Periode.JOUR):
        total = sums[(row.niveau, row.zone, row.jour.replace(day=1))]
        for i, value in enumerate([row.pz_declares, row.contacts, row.promotions, row.joints,
                                   row.joints_24h]):  # fmt: skip
            total[i] += value
        total[5] = add_dense(total[5], row.delais)
    months = {
        (row.niveau, row.zone, row.jour): [row.pz_declares, row.contacts, row.promotions,
                                           row.joints, row.joints_24h, row.delais]
        for row in IndicateurJour.objects.filter(periode=Periode.MOIS)
    }  # fmt: skip
    assert months == {key: [*values[:5], dense(Counter(dict(enumerate(values[5]))))]
                      for key, values in sums.items()}  # fmt: skip
    assert len({jour for _, _, jour in months}) >= 2


def test_a_period_read_by_months_and_days_gives_the_figures_of_its_days(medecin):
    now = timezone.now()
    generate(medecin, now=now, days=75, seed=17)
    today = timezone.localdate(now)
    indicateurs.rollup(now=now, depuis=today - timedelta(days=80))
    perimetre = Perimetre(
        libelle="France", niveau=Niveau.NATIONAL, zones=("FR",),
        detail_niveau=Niveau.REGION, detail_zones=("FR-IDF", "FR-ARA", "FR-20R"),
        detail_libelle="Région",
    )  # fmt: skip

    for du in (today - timedelta(days=70), (today - timedelta(days=60)).replace(day=1)):
        by_months = tableau(perimetre, du=du, au=today, today=today)
        by_days = tableau(perimetre, du=du, au=today, today=today, export=True)

        def figures(result):
            return [(z.libelle, z.nouveaux_pz, z.contacts, z.joints_24h, z.delai_median)
                    for z in result.zones]  # fmt: skip

        assert figures(by_months) == figures(by_days)
        assert sum(z.contacts for z in by_months.zones) > 0
