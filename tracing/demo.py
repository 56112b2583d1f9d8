"""Demo data of issue 5 (`python manage.py load_demo`): the conseiller of the CPAM de
Seine-Saint-Denis covers the 93 and has a queue; a contact the laboratory and the pharmacy can
find; a school cluster for the ARS Île-de-France; a collectivity case outside its région.

Idempotent: a fiche is found again by its declarant and name, a cluster by its name.
"""

from datetime import date

from django.db import transaction

from accounts.models import Caisse, User
from fiches import services
from fiches.demo import demo_step
from fiches.identity import nir_key
from fiches.models import ArgumentDiagnostic, Collectivite, Fiche
from fiches.statuses import Statut
from tracing.models import Affectation, Cluster

ECOLE = "École élémentaire Jean Jaurès (Montreuil)"


def _nir(body13):
    return body13 + nir_key(body13)


# The contact the laboratory and the pharmacy find (printed in README.md).
CONTACT_TROUVABLE = {
    "prenom": "Lucas",
    "nom": "Petit",
    "nir": _nir("1100393048123"),
    "date_naissance": date(2010, 3, 14),
}

COMMUNES = {"93100": "Montreuil", "75012": "Paris", "69003": "Lyon"}

# (prénom, nom, NIR body, date de naissance, code postal, collectivité, accord identité,
#  [contacts: (fields, path of statuses)])
PATIENTS = [
    ("Nadia", "Benali", "2820593048031", date(1982, 5, 21), "93100", Collectivite.SCOLAIRE,
     "oui",
     [({**CONTACT_TROUVABLE, "code_postal": "93100", "commune": "Montreuil",
        "voie": "12 rue de Paris", "telephone": "+33612000001", "meme_foyer": True},
       [Statut.A_CONTACTER]),
      ({"prenom": "Emma", "nom": "Girard", "code_postal": "93200", "commune": "Saint-Denis"},
       []),
      ({"prenom": "Yanis", "nom": "Moreau", "code_postal": "93100", "commune": "Montreuil",
        "telephone": "+33612000003"},
       [Statut.A_CONTACTER, Statut.PATIENT_A_RAPPELER])]),
    ("Inès", "Haddad", "2880693048077", date(1988, 6, 2), "93100", Collectivite.SCOLAIRE, "non",
     [({"prenom": "Rayan", "nom": "Haddad", "code_postal": "93100", "commune": "Montreuil",
        "telephone": "+33612000004", "meme_foyer": True},
       [Statut.A_CONTACTER])]),
    ("Julie", "Lambert", "2910775112045", date(1991, 7, 9), "75012", Collectivite.CRECHE, "oui",
     [({"prenom": "Tom", "nom": "Lambert", "code_postal": "75012", "commune": "Paris",
        "telephone": "+33612000005", "meme_foyer": True},
       [Statut.A_CONTACTER])]),
    ("Bernard", "Roux", "1450369123011", date(1945, 3, 30), "69003", Collectivite.EHPAD, "oui",
     []),
]  # fmt: skip


@transaction.atomic
def load_demo_tracing(stdout=None):
    conseiller = User.objects.filter(username="conseiller.cpam93").first()
    if conseiller is not None:
        caisse = Caisse.objects.filter(nom__startswith="CPAM de Bobigny").first()
        Affectation.objects.get_or_create(
            user=conseiller, defaults={"caisse": caisse, "departements": "93"}
        )
    agent = User.objects.filter(username="agent.ars-idf").first()
    if agent is not None:
        Affectation.objects.get_or_create(user=agent, defaults={"region": "FR-IDF"})
    medecin = User.objects.filter(username="sophie.generaliste").first()
    if medecin is None:
        return
    ecole = []
    for prenom, nom, nir, naissance, cp, collectivite, accord, contacts in PATIENTS:
        existing = Fiche.objects.filter(declarant=medecin, prenom=prenom, nom=nom).first()
        if existing is not None:
            if collectivite == Collectivite.SCOLAIRE:
                ecole.append(existing)
            continue
        pz = services.fiche_create(
            user=medecin,
            data={
                "prenom": prenom, "nom": nom, "nir": _nir(nir), "date_naissance": naissance,
                "code_postal": cp, "commune": COMMUNES[cp],
                "argument_diagnostic": ArgumentDiagnostic.RT_PCR, "information_patient": True,
                "collectivite": collectivite,
                "accord_identite": accord,
            },
        )  # fmt: skip
        if collectivite == Collectivite.SCOLAIRE:
            ecole.append(pz)
        for fields, path in contacts:
            contact = services.fiche_create(user=medecin, origine=pz, data=fields)
            for step in path:
                contact = demo_step(fiche=contact, user=conseiller or medecin, step=step)
        if stdout is not None:
            stdout.write(f"  fiche patient zéro : {prenom} {nom} ({cp})")
    if agent is not None and not Cluster.objects.filter(nom=ECOLE).exists():
        cluster = Cluster.objects.create(
            nom=ECOLE,
            collectivite=Collectivite.SCOLAIRE,
            region="FR-IDF",
            departement="93",
            statut=Cluster.Statut.EN_INVESTIGATION,
            notes="Deux cas confirmés dans la même classe de CM1.",
            created_by=agent,
        )
        cluster.fiches.add(*ecole)
        if stdout is not None:
            stdout.write(f"  cluster : {ECOLE}")
