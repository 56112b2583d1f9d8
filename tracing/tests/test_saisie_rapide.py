"""« Saisie rapide » (issue 13): several contacts at once, all or none, every line kept."""

import uuid

from django.urls import reverse

from fiches.models import Fiche
from fiches.statuses import Statut
from fiches.tests.factories import FicheFactory


def _post(client, url, lines, **extra):
    data = {"contacts-TOTAL_FORMS": str(len(lines)), "contacts-INITIAL_FORMS": "0",
            "contacts-MIN_NUM_FORMS": "0", "contacts-MAX_NUM_FORMS": "50",
            "soumission": str(uuid.uuid4()), **extra}  # fmt: skip
    for i, line in enumerate(lines):
        for name, value in line.items():
            data[f"contacts-{i}-{name}"] = value
    return client.post(url, data)


def _pz(medecin):
    return FicheFactory(declarant=medecin, voie="12 rue des Lilas", code_postal="69003",
                        commune="Lyon", departement="69")  # fmt: skip


def test_three_contacts_in_one_go_with_their_statuses_and_household(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)
    url = reverse("tracing:contacts_rapides", args=[pz.pk])

    response = _post(client, url, [
        {"nom": "Debreu", "prenom": "Hugo", "meme_foyer": "on"},
        {"nom": "Caron", "prenom": "Jean", "telephone": "06 12 34 56 78", "code_postal": "93"},
        {"nom": "", "prenom": ""},  # an empty line is ignored
        {"nom": "Martin", "prenom": "Léa", "code_postal": "75011"},
    ])  # fmt: skip

    assert response.status_code == 302 and response.url == reverse("tracing:fiche", args=[pz.pk])
    contacts = {f.prenom: f for f in Fiche.objects.filter(origine=pz)}
    assert set(contacts) == {"Hugo", "Jean", "Léa"}
    assert (contacts["Hugo"].commune, contacts["Hugo"].departement) == ("Lyon", "69")
    assert contacts["Jean"].statut == Statut.A_CONTACTER and contacts["Jean"].departement == "93"
    assert contacts["Léa"].statut == Statut.CONTACT_A_TROUVER


def test_one_line_in_error_saves_nothing_and_gives_every_line_back(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)

    response = _post(client, reverse("tracing:contacts_rapides", args=[pz.pk]), [
        {"nom": "Caron", "prenom": "Jean", "code_postal": "93"},
        {"nom": "Martin", "prenom": "Léa", "telephone": "12", "code_postal": "75011"},
        {"nom": "Petit", "prenom": "", "code_postal": "75011"},
    ])  # fmt: skip

    assert response.status_code == 400
    html = response.content.decode()
    assert not Fiche.objects.filter(origine=pz).exists()
    assert "Numéro de téléphone invalide" in html and "Ce champ est obligatoire" in html
    assert 'value="Caron"' in html and 'value="12"' in html and 'value="Petit"' in html
    assert 'id="id_contacts-1-telephone_error"' in html


def test_a_removed_line_is_ignored_even_in_error(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)

    response = _post(client, reverse("tracing:contacts_rapides", args=[pz.pk]), [
        {"nom": "Caron", "prenom": "Jean", "code_postal": "93"},
        {"nom": "Faux", "prenom": "", "DELETE": "on"},
    ])  # fmt: skip

    assert response.status_code == 302
    assert list(Fiche.objects.filter(origine=pz).values_list("nom", flat=True)) == ["Caron"]


def test_nothing_typed_says_so(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)

    response = _post(client, reverse("tracing:contacts_rapides", args=[pz.pk]), [{"nom": ""}])

    assert response.status_code == 400
    assert "Remplissez au moins une ligne." in response.content.decode()


def test_the_same_lot_posted_twice_lands_once(client, medecin):
    pz = _pz(medecin)
    client.force_login(medecin)
    url = reverse("tracing:contacts_rapides", args=[pz.pk])
    token = str(uuid.uuid4())
    lines = [{"nom": "Caron", "prenom": "Jean", "code_postal": "93"}]

    _post(client, url, lines, soumission=token)
    _post(client, url, lines, soumission=token)

    assert Fiche.objects.filter(origine=pz).count() == 1


def test_the_platform_enters_contacts_in_bulk_on_its_patients_zero(client, request, medecin):
    conseiller = request.getfixturevalue("conseiller93")
    pz = FicheFactory(declarant=medecin, departement="93", code_postal="93100")
    client.force_login(conseiller)

    response = _post(client, reverse("tracing:plateforme_contacts_rapides", args=[pz.pk]),
                     [{"nom": "Caron", "prenom": "Jean", "code_postal": "93200"}])  # fmt: skip

    assert response.url == reverse("tracing:plateforme_fiche", args=[pz.pk])
    assert Fiche.objects.get(origine=pz).declarant == conseiller
