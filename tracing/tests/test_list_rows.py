"""The list rows built in Python (tracing/templatetags) escape what people typed and show what
the former templates showed."""

from django.urls import reverse
from django.utils import timezone

from fiches.statuses import Statut
from fiches.tests.factories import ContactFactory, FicheFactory
from tracing.models import Affectation


def test_the_doctors_list_escapes_a_typed_name_and_shows_each_column(
    client, medecin, autre_medecin
):
    pz = FicheFactory(declarant=medecin, prenom='<b>"Léa"</b>', nom="O'Brien & fils")
    ContactFactory(origine=pz, declarant=autre_medecin, medecin=medecin, prenom="Zoé", nom="Roy")
    client.force_login(medecin)

    html = client.get(reverse("tracing:home")).content.decode()

    assert "&lt;b&gt;&quot;Léa&quot;&lt;/b&gt; O&#x27;BRIEN &amp; FILS" in html
    assert "<b>" not in html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert f'href="/fiches/{pz.pk}/"' in html
    assert "Vous-même" in html and autre_medecin.display_name in html
    local = timezone.localtime(pz.created_at).strftime("%d/%m/%Y %H:%M")
    assert f'<td data-label="Création">{local}</td>' in html
    assert f'<td data-label="État">{Statut(pz.statut).label}</td>' in html


def test_the_platform_queue_escapes_a_typed_name(client, conseiller):
    Affectation.objects.create(user=conseiller, departements="93")
    pz = FicheFactory(prenom="<i>Ana</i>", nom="Dupont", code_postal="93100", departement="93",
                      statut=Statut.A_CONTACTER)  # fmt: skip
    client.force_login(conseiller)

    html = client.get(reverse("tracing:plateforme_file")).content.decode()

    assert f'href="/plateforme/fiches/{pz.pk}/">&lt;i&gt;Ana&lt;/i&gt; DUPONT</a>' in html
    assert "Patient zéro" in html
