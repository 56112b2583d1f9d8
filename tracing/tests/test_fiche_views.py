from django.urls import reverse

from fiches.audit import AuditLog
from fiches.models import Fiche
from fiches.statuses import Statut
from fiches.tests.factories import BeneficiaireFactory, ContactFactory, FicheFactory

NEW_PZ = {"nir": "1 85 05 78 006 084 91", "nom": "Shneidez", "prenom": "Kevan",
          "information_patient": "on", "collectivite": "non", "action": "valider"}  # fmt: skip


def _urls(fiche):
    return [
        reverse("tracing:fiche", args=[fiche.pk]),
        reverse("tracing:fiche_update", args=[fiche.pk]),
        reverse("tracing:contact_create", args=[fiche.pk]),
        reverse("tracing:formulaire_contact", args=[fiche.pk]),
    ]


def test_anonymous_is_sent_to_sign_in(client, db):
    fiche = FicheFactory()
    for url in [*_urls(fiche), reverse("tracing:patient_zero_create")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_other_roles_get_403_on_the_doctors_pages(
    client, conseiller, biologiste, pharmacien, agent_ars
):
    fiche = FicheFactory()
    for user in (conseiller, biologiste, pharmacien, agent_ars):
        client.force_login(user)
        for url in [*_urls(fiche), reverse("tracing:patient_zero_create")]:
            assert client.get(url).status_code == 403, (user.role, url)
        assert client.get("/").status_code == 200  # their own simple home


def test_another_doctors_fiche_is_a_404(client, medecin, autre_medecin):
    fiche = FicheFactory(declarant=autre_medecin)
    client.force_login(medecin)
    for url in _urls(fiche):
        assert client.get(url).status_code == 404
    response = client.post(reverse("tracing:fiche_update", args=[fiche.pk]), {"nom": "X"})
    assert response.status_code == 404


def test_own_fiche_and_its_contacts_are_shown(client, medecin):
    fiche = FicheFactory(declarant=medecin, prenom="Kevan", nom="Shneidez")
    ContactFactory(origine=fiche, prenom="Jean", nom="Caron")
    client.force_login(medecin)

    response = client.get(reverse("tracing:fiche", args=[fiche.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "FICHE PATIENT ZÉRO" in content and "PERSONNES CONTACTS" in content
    assert "Jean CA" in content and "Contact à trouver" in content
    assert "1 fiche(s) trouvée(s)" in content


def test_doctor_home_is_their_list_with_search(client, medecin, autre_medecin):
    FicheFactory(declarant=medecin, prenom="Célia", nom="Debreu")
    FicheFactory(declarant=medecin, prenom="Marc", nom="Delorme")
    FicheFactory(declarant=autre_medecin, prenom="Céline", nom="Secret")
    client.force_login(medecin)

    response = client.post("/", {"prenom": "celi", "par_page": 25}, follow=True)

    # Post/redirect/get: the criteria stay in the session, the URL carries a token only.
    [(url, _status)] = response.redirect_chain
    assert "celi" not in url and "par_page=25" in url and "r=" in url
    content = response.content.decode()
    assert "VOTRE LISTE CONTACT-COVID" in content
    assert "1 fiche(s) trouvée(s)" in content
    assert "Célia DE" in content and "Vous-même" in content
    assert "Marc" not in content and "Céline" not in content


def test_first_visit_invites_to_create_a_patient_zero(client, medecin):
    client.force_login(medecin)
    content = client.get("/").content.decode()
    assert "aucune fiche pour l'instant" in content
    assert "NOUVEAU PATIENT +" in content


def test_creating_a_patient_zero_opens_its_fiche(client, medecin):
    client.force_login(medecin)
    response = client.post(reverse("tracing:patient_zero_create"), NEW_PZ)
    fiche = Fiche.objects.get()
    assert response.status_code == 302 and response.url == f"/fiches/{fiche.pk}/"
    assert fiche.declarant == medecin and fiche.statut == Statut.EN_ATTENTE


def test_invalid_input_is_kept_with_a_french_message(client, medecin):
    client.force_login(medecin)
    data = {**NEW_PZ, "nir": "1 85 05 78 006 084 92", "telephone": "12"}
    response = client.post(reverse("tracing:patient_zero_create"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "La clé du NIR ne correspond pas" in content
    assert "Numéro de téléphone invalide" in content
    assert 'value="Shneidez"' in content and 'value="1 85 05 78 006 084 92"' in content
    assert not Fiche.objects.exists()


def test_known_nir_lookup_fills_the_identity(client, medecin):
    BeneficiaireFactory(nir="185057800608491", nom="SHNEIDEZ", prenom="Kevan")
    client.force_login(medecin)
    response = client.post(
        reverse("tracing:patient_zero_create"),
        {"nir": "185057800608491", "action": "chercher_nir", "collectivite": "non"},
    )
    content = response.content.decode()
    assert 'value="SHNEIDEZ"' in content and "readonly" in content
    assert not Fiche.objects.exists()
    entry = AuditLog.objects.get(action="beneficiaire.lookup")
    assert entry.actor == medecin and entry.data == {"trouve": True}


def test_referentiel_lookups_are_throttled_per_account_and_nothing_is_saved(
    client, medecin, settings
):
    settings.LOOKUP_THROTTLE_PER_MINUTE = 2
    settings.LOOKUP_THROTTLE_PER_DAY = 2  # the posts may straddle a minute, not the day
    BeneficiaireFactory(nir="185057800608491", nom="SHNEIDEZ", prenom="Kevan")
    client.force_login(medecin)
    url = reverse("tracing:patient_zero_create")
    for nir in ("269054958815780", "180019304812323"):
        lookup = {"nir": nir, "action": "chercher_nir", "collectivite": "non"}
        assert client.post(url, lookup).status_code == 200

    refused = client.post(url, {**NEW_PZ, "nir": "185057800608491"})

    content = refused.content.decode()
    assert refused.status_code == 429
    assert "Trop de recherches de NIR en une minute ou dans la journée" in content
    assert "SHNEIDEZ" not in content  # the référentiel was not read
    assert 'value="1 85 05 78 006 084 91"' in content or 'value="185057800608491"' in content
    assert not Fiche.objects.exists()
    assert AuditLog.objects.filter(action="beneficiaire.lookup_refused", actor=medecin).exists()


def test_only_actual_lookups_count_not_the_doctors_own_saves(client, medecin, settings):
    settings.LOOKUP_THROTTLE_PER_MINUTE = 2
    BeneficiaireFactory(nir="185057800608491", nom="SHNEIDEZ", prenom="Kevan")
    client.force_login(medecin)
    url = reverse("tracing:patient_zero_create")
    lookup = {"nir": "185057800608491", "action": "chercher_nir", "collectivite": "non"}
    assert client.post(url, lookup).status_code == 200  # 1: Rechercher l'assuré
    assert client.post(url, lookup).status_code == 200  # the same NIR again: nothing new
    assert client.post(url, NEW_PZ).status_code == 302  # VALIDER with it: nothing new
    fiche = Fiche.objects.get()

    for nom in ("Shneidez", "Shneidez", "Shneidez", "Shneidez"):
        data = {**NEW_PZ, "nom": nom, "version": fiche.version}
        response = client.post(reverse("tracing:fiche_update", args=[fiche.pk]), data)
        assert response.status_code == 302  # her own fiche's NIR is no lookup
        fiche.refresh_from_db()

    other = {"nir": "269054958815780", "action": "chercher_nir", "collectivite": "non"}
    assert client.post(url, other).status_code == 200  # 2
    third = {"nir": "180019304812323", "action": "chercher_nir", "collectivite": "non"}
    assert client.post(url, third).status_code == 429  # 3: over the limit of 2


def test_stale_edit_is_refused_and_the_input_kept(client, medecin):
    fiche = FicheFactory(declarant=medecin, nir="185057800608491", nom="Avant", prenom="K")
    client.force_login(medecin)
    data = {**NEW_PZ, "nom": "Ma saisie", "version": fiche.version - 1 or 99}
    response = client.post(reverse("tracing:fiche_update", args=[fiche.pk]), data)
    content = response.content.decode()
    assert "modifiée par une autre personne" in content
    assert 'value="Ma saisie"' in content
    fiche.refresh_from_db()
    assert fiche.nom == "Avant"


def test_contact_form_pdf_names_the_patient_and_the_doctor(client, medecin, tmp_path):
    import subprocess

    fiche = FicheFactory(declarant=medecin, prenom="Kevan", nom="Shneidez")
    client.force_login(medecin)
    response = client.get(reverse("tracing:formulaire_contact", args=[fiche.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "f.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "FORMULAIRE DE CONTACT" in text
    assert "Kevan SHNEIDEZ" in text and "Dr Sophie GÉNÉRALISTE" in text
    assert "Date du dernier" in text
    # Its footer in French (issue 17 § 8), as the page reads it.
    assert "suivi des personnes contacts" in " ".join(text.split())
    assert "contact tracing" not in " ".join(text.split()).lower()


def test_blank_contact_form_from_the_home_page(client, medecin):
    client.force_login(medecin)
    response = client.get(reverse("tracing:formulaire_contact_vierge"))
    assert response.content.startswith(b"%PDF")


def test_contact_form_is_emailed_to_the_patient(client, medecin, mailoutbox):
    fiche = FicheFactory(declarant=medecin, email="kevan@exemple.fr")
    client.force_login(medecin)
    response = client.post(reverse("tracing:formulaire_contact_envoyer", args=[fiche.pk]))
    assert response.status_code == 302
    assert mailoutbox[0].to == ["kevan@exemple.fr"]
    assert mailoutbox[0].attachments[0][2] == "application/pdf"


def test_no_url_deletes_a_fiche(client, medecin):
    from django.urls import get_resolver

    names = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not any("supprim" in n or "delete" in n for n in names)


def test_admin_offers_no_deletion(client, administrateur):
    fiche = FicheFactory()
    client.force_login(administrateur)
    changelist = client.get(reverse("admin:fiches_fiche_changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    delete = client.get(reverse("admin:fiches_fiche_delete", args=[fiche.pk]))
    assert delete.status_code == 403
    assert Fiche.objects.filter(pk=fiche.pk).exists()


def test_contact_page_shows_household_and_offers_modifier(client, medecin):
    contact = ContactFactory(origine__declarant=medecin, meme_foyer=True, prenom="Jean")
    client.force_login(medecin)
    content = client.get(reverse("tracing:fiche", args=[contact.pk])).content.decode()
    assert "FICHE PERSONNE CONTACT" in content and "Contact à trouver" in content
    assert 'Même foyer</dt><dd class="col-sm-9">Oui' in content
    assert reverse("tracing:fiche_update", args=[contact.pk]) in content


def test_the_doctors_list_names_her_patients_in_full_with_the_formatted_nir(client, medecin):
    pz = FicheFactory(declarant=medecin, nom="Haddad", prenom="Inès", nir="288069304807767")
    ContactFactory(origine=pz, nom="Delorme", prenom="Noël", code_postal="75011")
    client.force_login(medecin)

    listing = client.get(reverse("tracing:home")).content.decode()
    detail = client.get(reverse("tracing:fiche", args=[pz.pk])).content.decode()

    assert "Inès HADDAD" in listing and "NIR : 2 88 06 93 048 077 67" in listing
    assert "Noël DELORME" in detail


def test_the_edit_page_of_a_contact_names_that_contact_and_its_own_status(client, medecin):
    pz = FicheFactory(declarant=medecin, nom="Shneidez", prenom="Kevan")
    contact = ContactFactory(origine=pz, nom="Martinez", prenom="Jérôme", code_postal="75011")
    client.force_login(medecin)

    html = client.get(reverse("tracing:fiche_update", args=[contact.pk])).content.decode()

    header = html.split('data-testid="fiche-editee">')[1].split("</form>")[0]
    assert "PERSONNE CONTACT :</strong> Jérôme MARTINEZ" in header
    assert "Statut : Contact à trouver" in header
    assert "SHNEIDEZ" not in header


def test_a_contact_known_only_by_its_departement_is_added_and_routed(client, medecin):
    pz = FicheFactory(declarant=medecin)
    client.force_login(medecin)

    response = client.post(reverse("tracing:contact_create", args=[pz.pk]), {
        "nom": "Caron", "prenom": "Jean", "code_postal": "93", "collectivite": "non",
        "action": "valider",
    })  # fmt: skip

    assert response.status_code == 302
    contact = Fiche.objects.get(origine=pz)
    assert (contact.code_postal, contact.departement) == ("93", "93")


def test_the_doctor_records_a_negative_result_after_confirming_it(client, medecin):
    pz = FicheFactory(declarant=medecin, statut=Statut.EN_ATTENTE, argument_diagnostic="")
    client.force_login(medecin)
    page = client.get(reverse("tracing:fiche", args=[pz.pk])).content.decode()
    assert "RÉSULTAT NÉGATIF / CLÔTURER" in page
    confirm = client.get(reverse("tracing:fiche_cloturer", args=[pz.pk])).content.decode()
    assert "Résultat négatif" in confirm and "CONFIRMER LA CLÔTURE" in confirm

    response = client.post(
        reverse("tracing:fiche_cloturer", args=[pz.pk]),
        {"motif": "resultat_negatif", "version": pz.version},
        follow=True,
    )

    pz.refresh_from_db()
    assert pz.statut == Statut.CLOTURE
    last = pz.historique.latest("id")
    assert (last.from_statut, last.to_statut, last.motif) == (
        Statut.EN_ATTENTE, Statut.CLOTURE, "Résultat négatif"
    )  # fmt: skip
    html = response.content.decode()
    assert "Fiche clôturée (Résultat négatif)." in html
    assert "Historique des états" in html and "(Résultat négatif)" in html


def test_closing_for_another_reason_needs_it_written_and_keeps_the_fiche_open_until(
    client, medecin
):
    contact = ContactFactory(origine__declarant=medecin, statut=Statut.A_CONTACTER)
    client.force_login(medecin)
    url = reverse("tracing:fiche_cloturer", args=[contact.pk])
    assert "Résultat négatif" not in client.get(url).content.decode()  # not a waiting patient

    refused = client.post(url, {"motif": "autre", "precision": "", "version": contact.version})
    closed = client.post(
        url, {"motif": "autre", "precision": "Parti à l'étranger", "version": contact.version}
    )

    assert refused.status_code == 400
    assert "Précisez le motif de la clôture." in refused.content.decode()
    assert closed.status_code == 302
    contact.refresh_from_db()
    assert contact.statut == Statut.CLOTURE
    assert contact.historique.latest("id").motif == "Parti à l'étranger"


def test_a_closed_fiche_offers_no_closing(client, medecin):
    pz = FicheFactory(declarant=medecin, statut=Statut.CLOTURE)
    client.force_login(medecin)

    page = client.get(reverse("tracing:fiche", args=[pz.pk])).content.decode()
    again = client.get(reverse("tracing:fiche_cloturer", args=[pz.pk]))

    assert "CLÔTURER" not in page
    assert again.status_code == 302
