"""Every URL of the screens × every role (and anonymous) × own / other object → the expected
status: sign-in redirect, 403 (wrong role), 404 (another's object), or the page.

A URL added to tracing/urls.py without a row here fails `test_every_url_is_in_the_matrix`.
"""

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from fiches.models_tracing import Prelevement
from fiches.tests.factories import ContactFactory, FicheFactory
from tracing.models import Cluster, ImportContacts
from tracing.tests.fixtures import NIR_LUCAS

ROLES = ["anonyme", "medecin", "conseiller", "biologiste", "pharmacien", "agent_ars",
         "administrateur"]  # fmt: skip
PAGE, REDIRECT = 200, 302

# (url name, method, object kind, {role: status or (own, other)}); a missing role is 403,
# anonymous is always sent to sign in (unless "anonyme" is given).
M = "medecin"
MATRIX = [
    ("home", "get", None, {M: PAGE, "conseiller": PAGE, "biologiste": PAGE,
                           "pharmacien": PAGE, "agent_ars": PAGE,
                           "administrateur": PAGE}),
    ("aide", "get", None, dict.fromkeys(ROLES, PAGE)),
    ("indicateurs", "get", None, {M: PAGE, "conseiller": PAGE, "agent_ars": PAGE,
                                  "administrateur": PAGE}),
    ("indicateurs_export", "get", None, {"conseiller": PAGE, "agent_ars": PAGE,
                                         "administrateur": PAGE}),
    ("patient_zero_create", "get", None, {M: PAGE}),
    ("formulaire_contact_vierge", "get", None, {M: PAGE}),
    ("fiche", "get", "doctor", {M: (PAGE, 404)}),
    ("fiche_update", "get", "doctor", {M: (PAGE, 404)}),
    ("contact_create", "get", "doctor", {M: (PAGE, 404)}),
    ("contacts_rapides", "get", "doctor", {M: (PAGE, 404)}),
    ("import_contacts", "get", "doctor", {M: (PAGE, 404), "conseiller": (PAGE, 404)}),
    ("import_modele", "get", None, {M: PAGE, "conseiller": PAGE, "agent_ars": PAGE}),
    # Only the person who made an import sees it.
    ("import_apercu", "get", "import", {M: (PAGE, 404), "conseiller": (404, 404),
                                        "agent_ars": (404, 404)}),
    ("import_confirmer", "post", "import", {M: (REDIRECT, 404), "conseiller": (404, 404),
                                            "agent_ars": (404, 404)}),
    ("fiche_cloturer", "get", "doctor", {M: (PAGE, 404)}),
    ("formulaire_contact", "get", "doctor", {M: (PAGE, 404)}),
    ("formulaire_contact_envoyer", "post", "doctor", {M: (REDIRECT, 404)}),
    ("plateforme_file", "get", None, {"conseiller": PAGE}),
    ("plateforme_fiche", "get", "platform", {"conseiller": (PAGE, 404)}),
    ("plateforme_appel", "post", "platform", {"conseiller": (400, 404)}),
    ("plateforme_suivante", "post", None, {"conseiller": REDIRECT}),
    ("plateforme_liberer", "post", "platform", {"conseiller": (REDIRECT, 404)}),
    ("plateforme_rappel", "post", "platform", {"conseiller": (400, 404)}),
    ("plateforme_meme_personne", "post", "platform", {"conseiller": (REDIRECT, 404)}),
    ("plateforme_telephone", "post", "platform", {"conseiller": (400, 404)}),
    ("plateforme_cloturer", "post", "platform", {"conseiller": (400, 404)}),
    ("plateforme_completer", "get", "platform", {"conseiller": (PAGE, 404)}),
    ("plateforme_contact_create", "get", "platform_pz", {"conseiller": (PAGE, 404)}),
    ("plateforme_contacts_rapides", "get", "platform_pz", {"conseiller": (PAGE, 404)}),
    ("plateforme_patient_zero_create", "get", None, {"conseiller": PAGE}),
    ("laboratoire_recherche", "get", None, {"biologiste": PAGE}),
    ("laboratoire_personne", "get", "found", {"biologiste": (PAGE, 404)}),
    ("laboratoire_prelevement", "post", "found", {"biologiste": (400, 404)}),
    ("laboratoire_resultat", "post", "sample", {"biologiste": (400, 404)}),
    ("laboratoire_correction", "post", "sample", {"biologiste": (400, 404)}),
    ("pharmacie_recherche", "get", None, {"pharmacien": PAGE}),
    ("pharmacie_personne", "get", "found", {"pharmacien": (PAGE, 404)}),
    ("pharmacie_masques", "post", "found", {"pharmacien": (400, 404)}),
    ("ars_collectivites", "get", None, {"agent_ars": PAGE}),
    ("ars_export", "get", None, {"agent_ars": PAGE}),
    ("ars_clusters", "get", None, {"agent_ars": PAGE}),
    ("ars_fiche", "get", "collectivity", {"agent_ars": (PAGE, 404)}),
    ("ars_cluster", "get", "cluster", {"agent_ars": (PAGE, 404)}),
    ("ars_cluster_lier", "post", "cluster", {"agent_ars": (400, 404)}),
    ("ars_cluster_import", "get", "cluster", {"agent_ars": (PAGE, 404)}),
]  # fmt: skip


def test_every_url_is_in_the_matrix():
    names = {
        name
        for name in get_resolver().namespace_dict["tracing"][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == {row[0] for row in MATRIX}


@pytest.fixture
def world(request, medecin, autre_medecin, conseiller93, ars_idf, biologiste, pharmacien,
          contact93, contact75):  # fmt: skip
    other_doctor_fiche = FicheFactory(declarant=autre_medecin)
    own_sample = Prelevement.objects.create(
        fiche=contact93, by=biologiste, date=timezone.localdate(), lieu="Labo"
    )
    hidden = ContactFactory(origine=contact93.origine, departement="93")
    other_sample = Prelevement.objects.create(
        fiche=hidden, by=biologiste, date=timezone.localdate(), lieu="Labo"
    )
    imports = [
        ImportContacts.objects.create(user=user, origine=fiche, nom_fichier="classe.csv")
        for user, fiche in ((medecin, contact93.origine), (autre_medecin, other_doctor_fiche))
    ]
    return {
        "import": (imports[0].pk, imports[1].pk),
        "doctor": (contact93.origine.pk, other_doctor_fiche.pk),
        "platform": (contact93.pk, contact75.pk),
        "platform_pz": (contact93.origine_id, contact75.origine_id),
        # patient93 exposed a school (Île-de-France); the other doctor's fiche exposed none.
        "collectivity": (contact93.origine_id, other_doctor_fiche.pk),
        "found": (contact93.pk, hidden.pk),
        "sample": ((contact93.pk, own_sample.pk), (hidden.pk, other_sample.pk)),
        "cluster": (
            Cluster.objects.create(
                nom="École", collectivite="scolaire", region="FR-IDF", created_by=ars_idf
            ).pk,
            Cluster.objects.create(
                nom="EHPAD", collectivite="ehpad", region="FR-ARA", created_by=ars_idf
            ).pk,
        ),  # fmt: skip
        "users": {
            "medecin": medecin,
            "conseiller": conseiller93,
            "biologiste": biologiste,
            "pharmacien": pharmacien,
            "agent_ars": ars_idf,
            "administrateur": request.getfixturevalue("administrateur"),
        },  # fmt: skip
    }


CASES = [
    pytest.param(name, method, kind, role, which, id=f"{name}-{role}-{which}")
    for name, method, kind, _ in MATRIX
    for role in ROLES
    for which in (["own", "other"] if kind else ["-"])
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "kind", "role", "which"), CASES)
def test_access(client, world, name, method, kind, role, which):
    expected = {row[0]: row[3] for row in MATRIX}[name]
    if role != "anonyme":
        user = world["users"][role]
        client.force_login(user)
        if role in ("biologiste", "pharmacien"):
            # The session found this person by an exact lookup (only then may it be opened).
            prefix = "laboratoire" if role == "biologiste" else "pharmacie"
            client.post(reverse(f"tracing:{prefix}_recherche"), {"nir": NIR_LUCAS})
    args = []
    if kind:
        value = world[kind][0 if which == "own" else 1]
        args = list(value) if isinstance(value, tuple) else [value]
    url = reverse(f"tracing:{name}", args=args)

    response = getattr(client, method)(url)

    if role not in expected:
        if role == "anonyme":
            assert response.status_code == 302
            assert response.url.startswith(reverse("accounts:login"))
        else:
            assert response.status_code == 403
        return
    status = expected[role]
    if isinstance(status, tuple):
        status = status[0] if which == "own" else status[1]
    assert response.status_code == status
