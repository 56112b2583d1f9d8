"""Demo fiches for Dr Sophie GÉNÉRALISTE (`python manage.py load_demo`), like the guide's list:
Marc, Christophe, Célia, Paul, with contacts in several statuses, one draft, one promoted
contact; and two beneficiaries of the référentiel whose NIR prefills the identity.

Idempotent: nothing is created twice (a fiche is found again by its declarant and name).
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from fiches import services, services_tracing
from fiches.identity import normalize_name
from fiches.models import ArgumentDiagnostic, Beneficiaire, Fiche
from fiches.models_tracing import Appel
from fiches.statuses import Statut

BENEFICIAIRES = [
    {
        "nir": "185057800608491",
        "nom": "SHNEIDEZ",
        "prenom": "Kevan",
        "date_naissance": date(1985, 5, 12),
        "sexe": "M",
        "regime": "Établissement National des Invalides de la Marine",
        "caisse": "ENIM - CLP Lorient",
        "adresse": "2 rue des Boulots, 10000 Troyes",
    },
    {
        "nir": "269054958815780",
        "nom": "DUPONT",
        "prenom": "Martine",
        "date_naissance": date(1969, 5, 3),
        "sexe": "F",
        "regime": "Régime général",
        "caisse": "CPAM de Maine-et-Loire",
        "adresse": "55 avenue de la Loire, 49100 Angers",
    },
]

# (prénom, nom, NIR, code postal, argument, brouillon, [contacts: (prénom, nom, cp, path)])
PATIENTS = [
    ("Paul", "Martin", "281127511300291", "75011", ArgumentDiagnostic.RT_PCR, False,
     [("Jean", "Caron", "75011", [Statut.A_CONTACTER]),
      ("Léa", "Martin", "75011", [Statut.A_CONTACTER, Statut.APPEL_REALISE]),
      ("Hugo", "Bernard", "93100", ["promote"])]),
    ("Célia", "Debreu", "", "69003", "", True, []),
    ("Christophe", "Fabre", "170119312345678", "93200", "", False, []),
    ("Marc", "Delorme", "159032A01234512", "20000", ArgumentDiagnostic.PROBABLE, False,
     [("Inès", "Delorme", "20000", []),
      ("Noël", "Perrin", "20200", [Statut.A_CONTACTER, Statut.PATIENT_A_RAPPELER])]),
]  # fmt: skip


def _nir(raw):
    from fiches.identity import nir_key

    return raw[:13] + nir_key(raw[:13]) if raw else ""


@transaction.atomic
def load_demo_fiches(stdout=None):
    for values in BENEFICIAIRES:
        Beneficiaire.objects.get_or_create(nir=values["nir"], defaults=values)
    medecin = User.objects.filter(username="sophie.generaliste").first()
    if medecin is None:
        return
    # The calls are the platform's; the doctor's first demo sign-in then shows them as news
    # ("Depuis votre dernière connexion"), her previous one being the day before.
    plateforme = User.objects.filter(username="conseiller.cpam93").first() or medecin
    if medecin.last_login is None:
        medecin.last_login = timezone.now() - timedelta(days=1)
        medecin.save(update_fields=["last_login"])
    for prenom, nom, nir, cp, argument, brouillon, contacts in PATIENTS:
        if Fiche.objects.filter(declarant=medecin, prenom=prenom, nom=nom).exists():
            continue
        data = {"prenom": prenom, "nom": nom, "nir": _nir(nir), "code_postal": cp,
                "argument_diagnostic": argument, "information_patient": True,
                "email": f"{normalize_name(prenom)}.{normalize_name(nom)}@exemple.fr"}  # fmt: skip
        pz = services.fiche_create(user=medecin, data=data, brouillon=brouillon)
        for c_prenom, c_nom, c_cp, path in contacts:
            contact = services.fiche_create(
                user=medecin,
                origine=pz,
                data={
                    "prenom": c_prenom,
                    "nom": c_nom,
                    "code_postal": c_cp,
                    # No phone, no path: a contact still to find; a phone: in the queue.
                    "telephone": "+33612345678" if path else "",
                    "meme_foyer": c_nom == nom,
                },  # fmt: skip
            )
            for step in path:
                if step == "promote":
                    contact = services.fiche_update(
                        fiche=contact,
                        user=medecin,
                        data={"argument_diagnostic": ArgumentDiagnostic.RT_PCR},
                        version=contact.version,
                        valider=True,
                    )
                elif step in (Statut.APPEL_REALISE, Statut.PATIENT_A_RAPPELER):
                    contact = demo_step(fiche=contact, user=plateforme, step=step)
                else:
                    contact = demo_step(fiche=contact, user=medecin, step=step)
        if stdout is not None:
            stdout.write(f"  fiche patient zéro : {prenom} {nom}")


def demo_step(*, fiche, user, step):
    """One step of a demo fiche's path, through the service a person would use: a call for
    "Appel réalisé" and "Patient à rappeler" (the recall tomorrow at 10:00), a plain status
    change otherwise. A step the fiche is already at (a contact with a phone starts À contacter)
    is skipped."""
    if fiche.statut == step:
        return fiche
    if step == Statut.APPEL_REALISE:
        services_tracing.appel_record(fiche=fiche, user=user, issue=Appel.Issue.JOINT)
    elif step == Statut.PATIENT_A_RAPPELER:
        tomorrow = timezone.localdate() + timedelta(days=1)
        services_tracing.appel_record(
            fiche=fiche,
            user=user,
            issue=Appel.Issue.PAS_DE_REPONSE,
            rappel_le=timezone.make_aware(datetime.combine(tomorrow, time(10))),
        )
    else:
        return services.status_change(fiche=fiche, user=user, to=step)
    return Fiche.objects.get(pk=fiche.pk)
