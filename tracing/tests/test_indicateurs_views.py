"""The « Tableau de bord »: each role's perimeter, figures from the rollup, a constant number
of queries, the CSV, the period's errors, and the doctor's small version."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.visits import SESSION_KEY
from fiches import indicateurs
from fiches.models import Collectivite, StatusChange
from fiches.models_tracing import Prelevement
from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory
from tracing.models import Cluster

pytestmark = pytest.mark.django_db
URL = reverse("tracing:indicateurs")


def _day(days_ago, hour=10):
    moment = timezone.localtime() - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _activity(medecin, departement, *, days_ago=1, contacts=3, reached_after=(2, 30)):
    """A patient zéro and its contacts named that day; the first ones reached after the given
    delays (hours)."""
    created = _day(days_ago)
    pz = FicheFactory(declarant=medecin, departement=departement, created_at=created,
                      statut_depuis=created)  # fmt: skip
    for i in range(contacts):
        contact = ContactFactory(origine=pz, declarant=medecin, departement=departement,
                                 created_at=created, statut_depuis=created,
                                 statut=Statut.A_CONTACTER)  # fmt: skip
        if i < len(reached_after):
            StatusChange.objects.create(
                fiche=contact, from_statut=Statut.A_CONTACTER, to_statut=Statut.APPEL_REALISE,
                by=medecin, at=created + timedelta(hours=reached_after[i]),
            )  # fmt: skip
    return pz


def _figure(html, label):
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", html, re.S)
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", match.group(1))).strip()


def test_the_conseiller_sees_the_figures_of_its_departements_only(client, conseiller93, medecin):
    _activity(medecin, "93", contacts=3)
    _activity(medecin, "75", contacts=7)
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=3))
    client.force_login(conseiller93)

    html = client.get(URL).content.decode()

    assert "TABLEAU DE BORD — 93 — Seine-Saint-Denis" in html
    assert _figure(html, "Nouveaux contacts") == "3"
    assert _figure(html, "Nouveaux patients zéro") == "1"
    assert _figure(html, "Contacts joints en 24 h") == "33,3 % (1 sur 3)"
    assert _figure(html, "Délai médian jusqu'au premier appel réalisé") == "2 h"
    assert "Paris" not in html


def test_an_agent_ars_sees_its_region_by_departement_and_cannot_pick_another(
    client, ars_idf, medecin
):
    _activity(medecin, "93", contacts=3)
    _activity(medecin, "77", contacts=2)
    _activity(medecin, "69", contacts=5)  # Auvergne-Rhône-Alpes
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=3))
    client.force_login(ars_idf)

    html = client.get(URL, {"region": "FR-ARA"}).content.decode()

    assert "TABLEAU DE BORD — Île-de-France" in html
    assert _figure(html, "Nouveaux contacts") == "5"
    assert "77 — Seine-et-Marne" in html and "93 — Seine-Saint-Denis" in html
    assert "Rhône" not in html
    assert 'name="region"' not in html  # only an admin chooses


def test_the_admin_sees_the_country_by_region_then_one_region(client, administrateur, medecin):
    _activity(medecin, "93", contacts=3)
    _activity(medecin, "69", contacts=5)
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=3))
    client.force_login(administrateur)

    national = client.get(URL).content.decode()
    region = client.get(URL, {"region": "FR-ARA", "du": "", "au": ""}).content.decode()

    assert "TABLEAU DE BORD — France entière" in national
    assert _figure(national, "Nouveaux contacts") == "8"
    assert "Île-de-France" in national and "Auvergne-Rhône-Alpes" in national
    assert "TABLEAU DE BORD — Auvergne-Rhône-Alpes" in region
    assert _figure(region, "Nouveaux contacts") == "5"


def test_the_page_reads_the_same_number_of_queries_whatever_the_period_and_the_data(
    client, ars_idf, medecin
):
    client.force_login(ars_idf)
    _activity(medecin, "93", contacts=1)
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=3))
    client.get(URL)  # the session's first read
    small_context = _count_queries(client, {})

    for days_ago in range(2, 60, 3):
        for departement in ("75", "77", "91", "92", "93", "94", "95"):
            _activity(medecin, departement, days_ago=days_ago, contacts=2)
    Cluster.objects.create(nom="École Jaurès", collectivite=Collectivite.SCOLAIRE,
                           region="FR-IDF", departement="93", created_by=ars_idf)  # fmt: skip
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=70))
    du = (timezone.localdate() - timedelta(days=365)).isoformat()
    big_context = _count_queries(client, {"du": du, "au": timezone.localdate().isoformat()})

    assert small_context == big_context


def _count_queries(client, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    indicator_reads = [q for q in captured.captured_queries if "indicateurjour" in q["sql"]]
    assert len(indicator_reads) == 2
    assert not any('"fiches_fiche"' in q["sql"] for q in captured.captured_queries)
    return len(captured.captured_queries)


def test_the_csv_has_french_headers_and_a_line_per_day_then_per_departement(
    client, ars_idf, medecin
):
    _activity(medecin, "93", days_ago=1, contacts=3)
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=3))
    client.force_login(ars_idf)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.get(
        reverse("tracing:indicateurs_export"),
        {"du": yesterday.isoformat(), "au": timezone.localdate().isoformat()},
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Jour", "Zone", "Patients zéro déclarés",
                           "Contacts devenus patients zéro", "Nouveaux patients zéro",
                           "Nouveaux contacts"]  # fmt: skip
    assert rows[1][:9] == [f"{yesterday:%d/%m/%Y}", "Île-de-France", "1", "0", "1", "3",
                           "3,00", "1", "33,3"]  # fmt: skip
    assert rows[1][9] == "120"  # the median delay in minutes
    by_zone = {tuple(row[:2]): row for row in rows[3:]}
    assert by_zone[(f"{yesterday:%d/%m/%Y}", "93 — Seine-Saint-Denis")][5] == "3"
    assert by_zone[(f"{timezone.localdate():%d/%m/%Y}", "75 — Paris")][5] == "0"  # counted


def test_a_wrong_period_is_said_next_to_its_field_and_kept(client, conseiller93):
    client.force_login(conseiller93)

    html = client.get(URL, {"du": "2026-11-20", "au": "2026-11-01"}).content.decode()

    assert "Le premier jour doit précéder le dernier." in html
    assert 'value="2026-11-20"' in html and 'value="2026-11-01"' in html
    assert 'aria-invalid="true"' in html or "is-invalid" in html


@pytest.mark.parametrize("du", ["2020-01-01", "pas une date", "9999-99-99"])
def test_a_period_too_long_or_unreadable_is_refused_without_an_error_page(client, conseiller93, du):
    client.force_login(conseiller93)

    response = client.get(URL, {"du": du, "au": timezone.localdate().isoformat()})

    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()


def test_an_agent_ars_without_a_region_is_told_so(client, agent_ars):
    client.force_login(agent_ars)

    html = client.get(URL).content.decode()

    assert "Votre affectation (région ou départements) n'est pas renseignée" in html


def test_the_charts_are_svg_with_their_figures_beside(client, conseiller93, medecin):
    _activity(medecin, "93", days_ago=2, contacts=4)
    indicateurs.rollup(depuis=timezone.localdate() - timedelta(days=3))
    client.force_login(conseiller93)

    html = client.get(URL).content.decode()

    assert html.count('<svg class="graphique-svg"') == 7
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    day = (timezone.localdate() - timedelta(days=2)).strftime("%d/%m/%Y")
    assert f"<title>{day} — Contacts : 4</title>" in html
    assert re.search(r'<rect class="barre serie-1" x="[0-9.]+" y="[0-9.]+"', html)


def test_the_doctor_sees_their_fiches_by_status_drafts_and_new_results(
    client, medecin, autre_medecin, biologiste
):
    pz = FicheFactory(declarant=medecin)
    ContactFactory(origine=pz, declarant=medecin, statut=Statut.A_CONTACTER)
    ContactFactory(origine=pz, declarant=medecin, statut=Statut.A_CONTACTER, brouillon=True)
    FicheFactory(declarant=autre_medecin)  # not theirs
    client.force_login(medecin)
    session = client.session
    session[SESSION_KEY] = (timezone.now() - timedelta(hours=3)).isoformat()
    session.save()
    Prelevement.objects.create(fiche=pz, by=biologiste, date=timezone.localdate(), lieu="Labo",
                               resultat="positif", resultat_le=timezone.now())  # fmt: skip
    Prelevement.objects.create(fiche=pz, by=biologiste, date=timezone.localdate(), lieu="Labo",
                               resultat="negatif",
                               resultat_le=timezone.now() - timedelta(days=1))  # fmt: skip

    html = client.get(URL).content.decode()

    assert re.search(r"À contacter</a></th><td class=\"text-end\">2<", html)
    assert re.search(r"Diagnostic confirmé</a></th><td class=\"text-end\">1<", html)
    assert "1 brouillon à compléter" in html
    assert "DEPUIS VOTRE DERNIÈRE CONNEXION" in html
    assert "1 résultat positif" in html
    assert "négatif" not in html  # recorded before the last sign-in


def test_the_doctors_page_reads_a_constant_number_of_queries(
    client, medecin, django_assert_max_num_queries
):
    client.force_login(medecin)
    pz = FicheFactory(declarant=medecin)
    client.get(URL)
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    for _ in range(30):
        ContactFactory(origine=pz, declarant=medecin)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_an_admin_link_with_only_a_region_shows_its_default_period(client, administrateur):
    client.force_login(administrateur)

    html = client.get(URL, {"region": "FR-BRE"}).content.decode()

    assert "TABLEAU DE BORD — Bretagne" in html
    assert "invalid-feedback" not in html
    assert f'value="{timezone.localdate().isoformat()}"' in html


def test_an_empty_queue_reads_zero_not_unknown(client, conseiller93):
    indicateurs.rollup()
    client.force_login(conseiller93)

    html = client.get(URL).content.decode()

    assert _figure(html, "File d'appels maintenant") == "0 fiche"


def test_the_csv_of_a_wrong_period_is_refused_with_the_pages_message(client, conseiller93):
    client.force_login(conseiller93)

    response = client.get(
        reverse("tracing:indicateurs_export"), {"du": "2026-11-20", "au": "2026-11-01"}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Le premier jour doit précéder le dernier." in response.content.decode()


def test_the_doctors_counts_stop_at_the_lists_cap_and_say_more(client, medecin, monkeypatch):
    from fiches import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    pz = FicheFactory(declarant=medecin)
    for _ in range(3):
        ContactFactory(origine=pz, declarant=medecin, statut=Statut.A_CONTACTER, brouillon=True)
    ContactFactory(origine=pz, declarant=medecin, statut=Statut.APPEL_REALISE)
    client.force_login(medecin)

    html = client.get(URL).content.decode()

    assert re.search(r"À contacter</a></th><td class=\"text-end\">plus de 2<", html)
    assert re.search(r"Appel réalisé</a></th><td class=\"text-end\">1<", html)
    assert re.search(r"Total</th><td class=\"text-end fw-bold\">plus de 4<", html)
    assert "Plus de 2 brouillons à compléter" in html
