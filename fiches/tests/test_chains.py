"""Transmission chains (issue 13): one recursive query, bounded, identity only where the viewer
may see it."""

from django.urls import reverse

from fiches import chains
from fiches.models import Fiche
from fiches.tests.factories import ContactFactory, FicheFactory
from tracing.policy import fiches_visible_to


def _promoted(contact):
    Fiche.objects.filter(pk=contact.pk).update(nature="patient_zero", statut="diagnostic_confirme")
    contact.refresh_from_db()
    return contact


def test_the_chain_follows_contacts_become_patients_zero_by_generation(medecin):
    pz = FicheFactory(declarant=medecin, prenom="Paul", nom="Martin")
    lea = ContactFactory(origine=pz, medecin=medecin, prenom="Léa", nom="Martin")
    hugo = _promoted(ContactFactory(origine=pz, medecin=medecin, prenom="Hugo", nom="Bernard"))
    tom = ContactFactory(origine=hugo, medecin=medecin, prenom="Tom", nom="Lambert")

    chain = chains.chain_of(pz, fiches_visible_to(medecin))

    depth = {node.pk: node.depth for node in chain.nodes}
    assert depth == {pz.pk: 0, lea.pk: 1, hugo.pk: 1, tom.pk: 2}
    assert [c.pk for c in chain.root.children] == [lea.pk, hugo.pk]
    assert all(node.visible for node in chain.nodes)
    assert len(chain.edges) == 3


def test_a_node_the_viewer_may_not_see_has_no_identity(medecin, autre_medecin):
    pz = FicheFactory(declarant=medecin)
    contact = _promoted(ContactFactory(origine=pz, medecin=medecin))
    # Its contact is followed by another doctor (declared by them).
    ailleurs = ContactFactory(origine=contact, declarant=autre_medecin, medecin=autre_medecin,
                              nom="Secret", prenom="Anonyme")  # fmt: skip

    chain = chains.chain_of(pz, fiches_visible_to(medecin))

    node = next(n for n in chain.nodes if n.pk == ailleurs.pk)
    assert not node.visible and "Secret" not in node.label
    assert node.label == "Contact suivi ailleurs"


def test_width_and_size_are_bounded(medecin, settings, monkeypatch):
    monkeypatch.setattr(chains, "MAX_CHILDREN", 3)
    monkeypatch.setattr(chains, "MAX_NODES", 6)
    pz = FicheFactory(declarant=medecin)
    ContactFactory.create_batch(8, origine=pz, medecin=medecin)

    chain = chains.chain_of(pz, fiches_visible_to(medecin))

    assert chain.truncated
    labels = [n.label for n in chain.root.children]
    assert len(labels) == 4 and labels[-1] == "… 2 autres"


def test_a_long_chain_is_read_in_three_queries(medecin, django_assert_num_queries):
    pz = FicheFactory(declarant=medecin)
    parent = pz
    for _ in range(8):  # deeper than MAX_DEPTH
        parent = _promoted(ContactFactory(origine=parent, medecin=medecin))
        ContactFactory.create_batch(3, origine=parent, medecin=medecin)

    visible = fiches_visible_to(medecin)  # the viewer's roles are read once per request
    with django_assert_num_queries(3):
        chain = chains.chain_of(pz, visible)

    assert max(n.depth for n in chain.nodes) == chains.MAX_DEPTH


def test_the_doctor_and_the_platform_see_the_chain_on_a_patient_zeros_page(
    client, medecin, request
):
    conseiller = request.getfixturevalue("conseiller93")
    pz = FicheFactory(declarant=medecin, departement="93", code_postal="93100")
    ContactFactory(origine=pz, medecin=medecin, departement="93", prenom="Léa", nom="Martin")
    client.force_login(medecin)

    page = client.get(reverse("tracing:fiche", args=[pz.pk])).content.decode()

    assert 'data-testid="chaine"' in page and "Léa MARTIN" in page and "<svg" in page
    client.force_login(conseiller)
    page = client.get(reverse("tracing:plateforme_fiche", args=[pz.pk])).content.decode()
    assert 'data-testid="chaine"' in page and reverse("tracing:plateforme_fiche", args=[pz.pk])


def test_an_ars_cluster_shows_the_chains_of_its_linked_fiches(client, request, medecin):
    from tracing.models import Cluster

    ars = request.getfixturevalue("ars_idf")
    ecole = FicheFactory(declarant=medecin, departement="93", code_postal="93100",
                         collectivite="scolaire", prenom="Nadia", nom="Benali")  # fmt: skip
    eleve = ContactFactory(origine=ecole, medecin=medecin, departement="93", nom="Petit")
    cluster = Cluster.objects.create(nom="École Jean Jaurès", collectivite="scolaire",
                                     region="FR-IDF", departement="93", created_by=ars)  # fmt: skip
    cluster.fiches.add(ecole)
    client.force_login(ars)

    page = client.get(reverse("tracing:ars_cluster", args=[cluster.pk])).content.decode()

    chaine = page.split('data-testid="chaine"')[1]
    assert "École Jean Jaurès" in chaine and "Nadia BENALI" in chaine
    # The pupil exposed no collectivity himself: outside the ARS's scope, drawn without identity.
    assert "PETIT" not in chaine.upper() and "Contact suivi ailleurs" in chaine
    assert reverse("tracing:ars_fiche", args=[eleve.pk]) not in chaine


def test_a_ten_thousand_person_chain_is_read_in_three_queries_and_drawn_bounded(
    medecin, django_assert_num_queries
):
    from fiches.models import Fiche, Nature
    from fiches.statuses import Statut

    pz = FicheFactory(declarant=medecin)
    level = [pz]
    for width in (20, 20, 25):  # 20 + 400 + 10,000 people below the patient zéro
        fiches = [
            Fiche(nature=Nature.PATIENT_ZERO if width != 25 else Nature.CONTACT, origine=parent,
                  declarant=medecin, medecin=medecin, departement="75",
                  statut=Statut.DIAGNOSTIC_CONFIRME if width != 25 else Statut.A_CONTACTER)
            for parent in level
            for _ in range(width)
        ]  # fmt: skip
        level = Fiche.objects.bulk_create(fiches)
    assert Fiche.objects.count() == 10_421

    visible = fiches_visible_to(medecin)
    with django_assert_num_queries(3):
        chain = chains.chain_of(pz, visible)

    # Breadth first: the patient zéro, its 20, then the first of the next generation; « … »
    # says the rest.
    assert chain.truncated
    assert len([n for n in chain.nodes if n.pk]) == chains.MAX_NODES
    assert max(n.depth for n in chain.nodes) == 2
