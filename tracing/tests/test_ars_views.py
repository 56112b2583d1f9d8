"""The ARS agent: its région's collectivity cases, clusters, CSV export."""

import pytest
from django.urls import reverse

from fiches.audit import AuditLog
from fiches.models import Collectivite, Fiche
from fiches.statuses import Statut
from fiches.tests.factories import FicheFactory
from tracing.models import Cluster

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(medecin):
    return {
        "ecole93": FicheFactory(declarant=medecin, departement="93", prenom="Ecolier",
                                collectivite=Collectivite.SCOLAIRE, commune="Montreuil"),
        "creche75": FicheFactory(declarant=medecin, departement="75", prenom="Crechien",
                                 collectivite=Collectivite.CRECHE),
        "sans93": FicheFactory(declarant=medecin, departement="93", prenom="Sanscollectivite"),
        "ehpad69": FicheFactory(declarant=medecin, departement="69", prenom="Lyonnais",
                                collectivite=Collectivite.EHPAD),
    }  # fmt: skip


def test_collectivity_cases_of_its_region_only_grouped_by_kind_and_departement(
    client, ars_idf, cases, django_assert_max_num_queries
):
    client.force_login(ars_idf)
    client.get(reverse("tracing:ars_collectivites"))
    with django_assert_max_num_queries(8):
        html = client.get(reverse("tracing:ars_collectivites")).content.decode()

    assert "Ecolier" in html and "Crechien" in html
    assert "Sanscollectivite" not in html and "Lyonnais" not in html
    assert "Milieu scolaire" in html and "Département 93" in html and "Département 75" in html


def test_agent_opens_a_cluster_links_a_case_and_updates_it(client, ars_idf, cases):
    client.force_login(ars_idf)
    response = client.post(reverse("tracing:ars_clusters"), {
        "nom": "École Jean Jaurès", "collectivite": "scolaire", "departement": "93",
        "statut": "ouvert", "notes": "",
    })  # fmt: skip
    cluster = Cluster.objects.get()
    assert response.url == reverse("tracing:ars_cluster", args=[cluster.pk])
    assert cluster.region == "FR-IDF"

    lier = reverse("tracing:ars_cluster_lier", args=[cluster.pk])
    client.post(lier, {"fiche": cases["ecole93"].pk})
    refused = client.post(lier, {"fiche": cases["ehpad69"].pk})
    client.post(reverse("tracing:ars_cluster", args=[cluster.pk]), {
        "nom": "ignored", "collectivite": "scolaire", "departement": "93",
        "statut": "en_investigation", "notes": "Classe de CM1 fermée", "version": cluster.version,
    })  # fmt: skip

    assert list(cluster.fiches.all()) == [cases["ecole93"]]
    assert refused.status_code == 400
    cluster.refresh_from_db()
    assert cluster.statut == "en_investigation" and cluster.notes == "Classe de CM1 fermée"
    assert cluster.nom == "École Jean Jaurès"
    assert (
        AuditLog.objects.for_object(cases["ecole93"])
        .filter(action="fiche.linked_to_cluster")
        .exists()
    )


def test_another_regions_cluster_is_a_404(client, ars_idf, medecin):
    other = Cluster.objects.create(nom="EHPAD Lyon", collectivite="ehpad", region="FR-ARA",
                                   created_by=medecin)  # fmt: skip
    client.force_login(ars_idf)
    assert client.get(reverse("tracing:ars_cluster", args=[other.pk])).status_code == 404
    assert "EHPAD Lyon" not in client.get(reverse("tracing:ars_clusters")).content.decode()


def test_csv_export_has_its_region_cases_without_identity(client, ars_idf, cases):
    client.force_login(ars_idf)

    response = client.get(reverse("tracing:ars_export"))

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    # Read in a spreadsheet by people: labels, accents, no codes (issue 17 § 8).
    assert lines[0] == "Fiche;Nature;Collectivité;Département;Commune;État;Créée le;Clusters"
    assert len(lines) == 3
    first = dict(zip(lines[0].split(";"), lines[1].split(";"), strict=True))
    assert first["Nature"] in ("Patient zéro", "Contact")
    assert first["État"] in {str(label) for label in Statut.labels}
    assert "_" not in first["État"] and "_" not in first["Collectivité"]
    assert str(cases["ecole93"].pk) in body and "Montreuil" in body
    for name in ("Ecolier", "Crechien", cases["ecole93"].nom, cases["ecole93"].nir):
        assert name not in body
    assert AuditLog.objects.get(action="ars.export_csv").data == {"region": "FR-IDF"}
    done = AuditLog.objects.get(action="ars.export_csv_complete")
    assert done.data == {"region": "FR-IDF", "lignes": 2} and done.actor == ars_idf


def test_csv_export_neutralises_free_text_a_spreadsheet_would_run_as_a_formula(
    client, ars_idf, cases
):
    Fiche.objects.filter(pk=cases["ecole93"].pk).update(commune='=HYPERLINK("http://x")')
    client.force_login(ars_idf)

    body = b"".join(client.get(reverse("tracing:ars_export")).streaming_content).decode("utf-8-sig")

    assert "'=HYPERLINK" in body
    assert ";=HYPERLINK" not in body and ';"=HYPERLINK' not in body


def test_agent_without_region_sees_nothing(client, agent_ars, cases):
    client.force_login(agent_ars)
    assert "Ecolier" not in client.get(reverse("tracing:ars_collectivites")).content.decode()
    response = client.get(reverse("tracing:ars_export"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1


def test_agent_opens_a_case_of_its_region_and_the_view_is_audited(client, ars_idf, cases):
    client.force_login(ars_idf)

    html = client.get(reverse("tracing:ars_fiche", args=[cases["ecole93"].pk])).content.decode()
    outside = client.get(reverse("tracing:ars_fiche", args=[cases["ehpad69"].pk]))
    no_collectivity = client.get(reverse("tracing:ars_fiche", args=[cases["sans93"].pk]))

    assert "Milieu scolaire" in html and "Ecolier" in html
    assert (outside.status_code, no_collectivity.status_code) == (404, 404)
    assert AuditLog.objects.for_object(cases["ecole93"]).filter(action="fiche.viewed").exists()


def test_the_csv_export_streams_with_flat_memory_whatever_its_length(
    client, ars_idf, medecin, monkeypatch
):
    """Read chunk by chunk, as a browser downloads it: memory is bounded by one chunk of rows
    read from the cursor, not by the number of rows."""
    import tracemalloc

    from django.http import StreamingHttpResponse

    from fiches.models import Nature
    from tracing import views_ars

    monkeypatch.setattr(views_ars, "EXPORT_CHUNK", 200)

    def peak_for(extra):
        Fiche.objects.bulk_create(
            Fiche(nature=Nature.PATIENT_ZERO, departement="93", collectivite="scolaire",
                  commune="Montreuil", declarant=medecin, medecin=medecin,
                  statut="diagnostic_confirme")
            for _ in range(extra)
        )  # fmt: skip
        response = client.get(reverse("tracing:ars_export"))
        assert isinstance(response, StreamingHttpResponse)
        tracemalloc.start()
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return lines, peak

    client.force_login(ars_idf)
    small_lines, small_peak = peak_for(1000)
    big_lines, big_peak = peak_for(5000)

    assert (small_lines, big_lines) == (1001, 6001)
    assert big_peak < small_peak * 1.25, (small_peak, big_peak)
