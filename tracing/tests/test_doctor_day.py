"""A doctor's day (issue 10): the household address, everything on the fiche page, the NIR's
messages and the Enter key."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fiches import services_tracing
from fiches.models import Appel, Collectivite, Fiche, Prelevement, Situation, Symptomes
from fiches.tests.factories import ContactFactory, FicheFactory


def _patient_zero(medecin, **extra):
    values = {"voie": "12 rue des Lilas", "code_postal": "69003", "commune": "Lyon",
              "departement": "69"}  # fmt: skip
    return FicheFactory(declarant=medecin, **{**values, **extra})


def test_same_household_contact_gets_the_patient_zeros_address_when_left_empty(client, medecin):
    patient = _patient_zero(medecin)
    client.force_login(medecin)

    response = client.post(
        reverse("tracing:contact_create", args=[patient.pk]),
        {"nom": "Debreu", "prenom": "Hugo", "meme_foyer": "on", "collectivite": "non"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Fiche.objects.get(nom="Debreu")
    assert (contact.voie, contact.code_postal, contact.commune) == (
        "12 rue des Lilas", "69003", "Lyon",
    )  # fmt: skip
    assert contact.departement == "69"


def test_same_household_keeps_an_address_the_doctor_typed(client, medecin):
    patient = _patient_zero(medecin)
    client.force_login(medecin)

    client.post(
        reverse("tracing:contact_create", args=[patient.pk]),
        {"nom": "Debreu", "prenom": "Hugo", "meme_foyer": "on", "collectivite": "non",
         "code_postal": "69007", "voie": ""},
    )  # fmt: skip

    contact = Fiche.objects.get(nom="Debreu")
    assert (contact.voie, contact.code_postal, contact.commune) == (
        "12 rue des Lilas", "69007", "Lyon",
    )  # fmt: skip


def test_without_same_household_an_empty_code_postal_is_still_required(client, medecin):
    patient = _patient_zero(medecin)
    client.force_login(medecin)

    response = client.post(
        reverse("tracing:contact_create", args=[patient.pk]),
        {"nom": "Debreu", "prenom": "Hugo", "collectivite": "non"},
    )

    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not Fiche.objects.filter(nom="Debreu").exists()


def test_contact_form_carries_the_household_address_for_the_script(client, medecin):
    patient = _patient_zero(medecin)
    client.force_login(medecin)

    content = client.get(reverse("tracing:contact_create", args=[patient.pk])).content.decode()

    assert 'data-voie="12 rue des Lilas"' in content
    assert 'data-code-postal="69003"' in content
    assert "js/meme-foyer.js" in content


def _fiche_with_history(medecin, conseiller, biologiste, pharmacien):
    patient = _patient_zero(
        medecin, situation=Situation.DOMICILE, symptomes=Symptomes.OUI,
        collectivite=Collectivite.SCOLAIRE, soignant=True, accord_identite="non",
    )  # fmt: skip
    contact = ContactFactory(
        origine=patient,
        telephone="+33612345678",
        statut="a_contacter",
        destinataire_resultats="aucun",
        precisions="Voisin de palier",
    )
    services_tracing.appel_record(
        fiche=contact, user=conseiller, issue=Appel.Issue.JOINT, consigne_masque=True,
        consigne_test=True, date_dernier_contact=timezone.localdate() - timedelta(days=2),
        note="Confidentiel : parle de sa dépression",
    )  # fmt: skip
    prelevement = services_tracing.prelevement_record(
        fiche=contact, user=biologiste, date=timezone.localdate(), lieu="Labo des Pentes"
    )
    services_tracing.resultat_record(
        prelevement=prelevement, user=biologiste, resultat=Prelevement.Resultat.NEGATIF
    )
    services_tracing.masques_deliver(
        fiche=contact, user=pharmacien, date=timezone.localdate(), nombre=14
    )
    return patient, contact


def test_fiche_page_shows_blocks_two_to_four_in_the_guides_order(
    client, medecin, conseiller, biologiste, pharmacien
):
    patient, contact = _fiche_with_history(medecin, conseiller, biologiste, pharmacien)
    client.force_login(medecin)

    page = client.get(reverse("tracing:fiche", args=[patient.pk])).content.decode()

    titles = ["Contextes infections/symptômes", "Éléments environnementaux",
              "Communication de son identité"]  # fmt: skip
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "À domicile" in page and "Milieu scolaire" in page
    assert re.search(r"Soignant \(au contact de patients ou de personnes fragiles\)</dt>"
                     r"<dd[^>]*>Oui", page)  # fmt: skip
    contact_page = client.get(reverse("tracing:fiche", args=[contact.pk])).content.decode()
    assert "Destinataire du résultat" in contact_page and "Voisin de palier" in contact_page


def test_fiche_page_shows_what_the_platform_laboratory_and_pharmacy_did(
    client, medecin, conseiller, biologiste, pharmacien
):
    _patient, contact = _fiche_with_history(medecin, conseiller, biologiste, pharmacien)
    client.force_login(medecin)

    page = client.get(reverse("tracing:fiche", args=[contact.pk])).content.decode()

    fin = (timezone.localdate() + timedelta(days=12)).strftime("%d/%m/%Y")
    assert "Personne jointe" in page and "Consignes : masque, test RT-PCR" in page
    assert f"Fin de la quatorzaine : {fin}" in page
    assert "Labo des Pentes" in page and "<strong>Négatif</strong>" in page
    assert "14 masques" in page
    # Not the agent's notes, not who delivered the masks.
    assert "dépression" not in page
    assert pharmacien.display_name not in page


def test_fiche_page_query_count_does_not_grow_with_its_history(
    client, medecin, conseiller, biologiste, pharmacien, django_assert_max_num_queries
):
    _patient, contact = _fiche_with_history(medecin, conseiller, biologiste, pharmacien)
    client.force_login(medecin)
    url = reverse("tracing:fiche", args=[contact.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for _ in range(3):
        services_tracing.prelevement_record(fiche=contact, user=biologiste,
                                            date=timezone.localdate(), lieu="Labo")  # fmt: skip
        services_tracing.masques_deliver(
            fiche=contact, user=pharmacien, date=timezone.localdate(), nombre=2, confirme=True
        )

    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_wrong_nir_key_on_lookup_says_the_key_is_wrong_next_to_the_field(client, medecin):
    client.force_login(medecin)

    response = client.post(
        reverse("tracing:patient_zero_create"),
        {"nir": "2 69 05 49 588 157 81", "nom": "Debreu", "commune": "Lyon",
         "action": "chercher_nir"},
    )  # fmt: skip

    content = response.content.decode()
    assert 'id="id_nir_error"' in content
    assert "La clé du NIR ne correspond pas au numéro" in content
    assert "pas connu de l&#x27;Assurance Maladie" not in content
    assert 'value="Debreu"' in content  # what was typed stays


def test_unknown_valid_nir_on_lookup_says_it_is_not_known(client, medecin):
    client.force_login(medecin)

    response = client.post(
        reverse("tracing:patient_zero_create"),
        {"nir": "2 69 05 49 588 157 80", "action": "chercher_nir"},
        follow=True,
    )

    content = response.content.decode()
    assert "Ce NIR n&#x27;est pas connu de l&#x27;Assurance Maladie." in content
    assert 'id="id_nir_error"' not in content


def test_enter_key_submits_the_main_action_not_the_lookup(client, medecin):
    client.force_login(medecin)

    content = client.get(reverse("tracing:patient_zero_create")).content.decode()

    buttons = re.findall(r'<button type="submit" name="action" value="(\w+)"', content)
    assert buttons[0] == "valider"  # the first submit button is the one Enter presses
    assert "chercher_nir" in buttons


def _signs_in_after(client, user, previous):
    from tests.factories import PASSWORD

    type(user).objects.filter(pk=user.pk).update(last_login=previous)
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_list_marks_what_others_did_since_the_previous_sign_in(
    client, medecin, conseiller, biologiste
):
    previous = timezone.now() - timedelta(days=1)
    patient = FicheFactory(declarant=medecin, created_at=previous - timedelta(days=2))
    appele = ContactFactory(origine=patient, telephone="+33612345678", statut="a_contacter",
                            created_at=previous - timedelta(days=1))  # fmt: skip
    teste = ContactFactory(origine=patient, created_at=previous - timedelta(hours=2))
    calme = ContactFactory(origine=patient, created_at=previous - timedelta(hours=1))
    services_tracing.appel_record(fiche=appele, user=conseiller, issue=Appel.Issue.JOINT)
    prelevement = services_tracing.prelevement_record(
        fiche=teste, user=biologiste, date=timezone.localdate(), lieu="Labo"
    )
    services_tracing.resultat_record(
        prelevement=prelevement, user=biologiste, resultat=Prelevement.Resultat.NEGATIF
    )
    # What the doctor does herself is not news.
    from fiches import services

    services.status_change(fiche=calme, user=medecin, to="contact_non_avere", motif="Erreur")

    _signs_in_after(client, medecin, previous)
    response = client.get("/")

    content = response.content.decode()
    marked = {f.pk for f in response.context["page"].fiches
              if f.nouveau_statut or f.nouveau_resultat}  # fmt: skip
    assert marked == {appele.pk, teste.pk}
    assert content.count('data-testid="nouveau"') == 2
    assert "Depuis votre dernière connexion" in content
    assert "1 fiche passée à « Appel réalisé »" in content
    assert "Contact non avéré" not in content.split('data-testid="depuis"')[1].split("</p>")[0]


def test_list_says_nothing_new_when_nothing_happened(client, medecin):
    FicheFactory(declarant=medecin, created_at=timezone.now() - timedelta(days=3))
    _signs_in_after(client, medecin, timezone.now() - timedelta(days=1))

    content = client.get("/").content.decode()

    assert "rien de nouveau sur vos fiches" in content
    assert 'data-testid="nouveau"' not in content


def test_first_sign_in_shows_no_news_line(client, medecin):
    FicheFactory(declarant=medecin)
    _signs_in_after(client, medecin, None)

    content = client.get("/").content.decode()

    assert "Depuis votre dernière connexion" not in content


def test_drafts_filter_lists_only_the_drafts(client, medecin):
    draft = FicheFactory(declarant=medecin, brouillon=True, statut="en_attente", nom="Debreu")
    FicheFactory(declarant=medecin, nom="Valide")
    client.force_login(medecin)

    response = client.get("/", {"statut": "brouillon"})

    assert [f.pk for f in response.context["page"].fiches] == [draft.pk]
    assert "Brouillons (à compléter)" in response.content.decode()


def test_list_with_news_runs_a_constant_number_of_queries(
    client, medecin, conseiller, django_assert_max_num_queries
):
    previous = timezone.now() - timedelta(days=1)
    patients = FicheFactory.create_batch(30, declarant=medecin, created_at=previous)
    for patient in patients[:10]:
        contact = ContactFactory(origine=patient, statut="a_contacter", telephone="+33612345678")
        services_tracing.appel_record(fiche=contact, user=conseiller, issue=Appel.Issue.JOINT)
    _signs_in_after(client, medecin, previous)
    client.get("/")
    # session + user + groups, the capped count, the page with its markers, the news line, the
    # audit entry of the names shown.
    for size in (10, 100):
        with django_assert_max_num_queries(7):
            response = client.get("/", {"par_page": size})
        assert len(response.context["page"].fiches) == min(size, 40)
