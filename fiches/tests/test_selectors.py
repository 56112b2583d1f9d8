import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from fiches import selectors
from fiches.models import Fiche
from fiches.statuses import Statut
from fiches.tests.factories import FicheFactory


def _search(**kwargs):
    return set(selectors.search(Fiche.objects.all(), selectors.Recherche(**kwargs)))


def test_name_search_ignores_accents_and_case_and_matches_a_prefix(medecin):
    celia = FicheFactory(declarant=medecin, prenom="Célia", nom="Debreu")
    FicheFactory(declarant=medecin, prenom="Marc", nom="Delorme")

    assert _search(prenom="celi") == {celia}
    assert _search(prenom="CÉLIA") == {celia}
    assert _search(nom="déb") == {celia}
    assert _search(nom="eb") == set()


def test_nir_search_by_exact_value_or_digits_prefix(medecin):
    kevan = FicheFactory(declarant=medecin, nir="185057800608491")
    FicheFactory(declarant=medecin, nir="269054958815780")

    assert _search(nir="1 85 05 78 006 084 91") == {kevan}
    assert _search(nir="18505") == {kevan}
    assert _search(nir="3") == set()


def test_status_search(medecin):
    waiting = FicheFactory(declarant=medecin, statut=Statut.EN_ATTENTE)
    FicheFactory(declarant=medecin, statut=Statut.DIAGNOSTIC_CONFIRME)
    assert _search(statut=Statut.EN_ATTENTE) == {waiting}


def _make(n, medecin):
    start = timezone.now()
    same_time = start - timedelta(hours=1)
    # Half share one created_at, to prove ties are paged by id without loss or repeat.
    return [
        FicheFactory(declarant=medecin, created_at=same_time if i % 2 else start - timedelta(i))
        for i in range(n)
    ]


def test_keyset_pages_walk_every_fiche_once_forwards_and_backwards(medecin):
    fiches = _make(23, medecin)
    expected = sorted(fiches, key=lambda f: (f.created_at, f.pk), reverse=True)
    qs = Fiche.objects.filter(medecin=medecin)

    seen, pages, cursor = [], [], ""
    while True:
        page = selectors.fiche_page(qs, size=10, apres=cursor)
        pages.append(page)
        seen += page.fiches
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected
    assert [len(p.fiches) for p in pages] == [10, 10, 3]
    assert pages[0].previous_cursor is None

    back = selectors.fiche_page(qs, size=10, avant=pages[2].previous_cursor)
    assert back.fiches == pages[1].fiches
    first = selectors.fiche_page(qs, size=10, avant=back.previous_cursor)
    assert first.fiches == pages[0].fiches and first.previous_cursor is None


def test_count_is_capped(medecin, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    _make(7, medecin)
    page = selectors.fiche_page(Fiche.objects.all(), size=10)
    assert page.count_capped and page.count == 5


@pytest.mark.parametrize(
    "cursor",
    [
        "pas-un-curseur!!",
        base64.urlsafe_b64encode(b"2020-05-09T17:14:00|12").decode(),  # no time zone
        base64.urlsafe_b64encode(b"2020-05-09T17:14:00+02:00|-1").decode(),
        base64.urlsafe_b64encode("2020-05-09T17:14:00+02:00|1²".encode()).decode(),
        base64.urlsafe_b64encode("2020-05-09T17:14:00+02:00|１２".encode()).decode(),
        base64.urlsafe_b64encode(b"2020-05-09T17:14:00+02:00|99999999999999999999999").decode(),
    ],
)
def test_tampered_cursor_shows_the_first_page(medecin, cursor):
    _make(3, medecin)
    page = selectors.fiche_page(Fiche.objects.all(), apres=cursor)
    assert len(page.fiches) == 3


@pytest.mark.parametrize("size", [10, 100])
def test_list_page_runs_a_constant_number_of_queries(
    client, medecin, autre_medecin, size, django_assert_max_num_queries
):
    for declarant in (medecin, autre_medecin):
        FicheFactory.create_batch(60, declarant=declarant, medecin=medecin)
    client.force_login(medecin)
    client.get("/")  # the session's first request stamps its sign-in and activity times
    # session + user + groups, then the capped count and the page (declarants joined), and the
    # audit entry of the names shown.
    with django_assert_max_num_queries(6):
        response = client.get("/", {"par_page": size})
    assert response.status_code == 200
    assert len(response.context["page"].fiches) == min(size, 120)
