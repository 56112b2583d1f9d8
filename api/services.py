"""Writes of the laboratories' API (issue 16): clients and their secrets, results received,
bundles processed now or in the background. A result goes through the fiches' services
(`fiches.services_tracing.resultat_laboratoire`), with the laboratory screen's rules.
"""

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import LieuExercice, Professionnel, User
from accounts.roles import Role
from api import fhir
from api.models import ClientAPI, JetonAPI, LotFHIR, ResultatRecu
from fiches.audit import audit_log
from fiches.models import DomainError
from fiches.services_tracing import EffetResultat, resultat_laboratoire
from tracing.policy import resultats_scope


class ClientRefuse(DomainError):
    pass


def _secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def client_create(*, laboratoire: LieuExercice, nom: str, by) -> tuple[ClientAPI, str]:
    """An API client for a laboratory, known by one of its FINESS numbers; returns the client
    and its secret, which is shown once and kept only as a hash. The client acts through a
    technical account of its own that can never sign in (inactive, without password)."""
    if laboratoire.type_numero != LieuExercice.TypeNumero.FINESS:
        raise ClientRefuse(_("Un client API se rattache au N° FINESS d'un laboratoire."),
                           field="laboratoire")  # fmt: skip
    if laboratoire.professionnel.profession != Professionnel.Profession.BIOLOGISTE:
        raise ClientRefuse(_("Ce FINESS n'est pas celui d'un laboratoire de biologie."),
                           field="laboratoire")  # fmt: skip
    nom = (nom or "").strip() or laboratoire.professionnel.nom_complet
    client_id = f"labo-{laboratoire.numero}-{secrets.token_hex(4)}"
    compte = User(
        username=f"api-{client_id}",
        first_name=_("Système"),
        last_name=f"{nom} (API)"[:150],
        is_active=False,
    )
    compte.set_unusable_password()
    compte.save()
    compte.groups.add(Group.objects.get_or_create(name=Role.BIOLOGISTE.value)[0])
    secret = _secret()
    client = ClientAPI.objects.create(
        client_id=client_id, secret_hash=make_password(secret), nom=nom[:150],
        laboratoire=laboratoire, compte=compte, cree_par=by,
    )  # fmt: skip
    audit_log(actor=by, action="api.client_created", obj=client,
              data={"client_id": client_id, "finess": laboratoire.numero})  # fmt: skip
    return client, secret


@transaction.atomic
def client_secret_renew(*, client: ClientAPI, by) -> str:
    """A new secret (the old one stops at once, with every token it obtained)."""
    locked = ClientAPI.objects.select_for_update().get(pk=client.pk)
    secret = _secret()
    locked.secret_hash = make_password(secret)
    locked.save(update_fields=["secret_hash"])
    JetonAPI.objects.filter(client=locked).update(revoque=True)
    audit_log(actor=by, action="api.secret_renewed", obj=locked,
              data={"client_id": locked.client_id})  # fmt: skip
    return secret


@transaction.atomic
def client_revoke(*, client: ClientAPI, by) -> None:
    """The client stops: its secret and its tokens no longer work. Kept, with what it sent."""
    ClientAPI.objects.filter(pk=client.pk).update(actif=False, revoque_le=timezone.now())
    JetonAPI.objects.filter(client=client).update(revoque=True)
    audit_log(actor=by, action="api.client_revoked", obj=client,
              data={"client_id": client.client_id})  # fmt: skip


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_save(*, client: ClientAPI, token: dict) -> JetonAPI:
    """Keep an access token Authlib issued, by its digest only; old expired ones go."""
    now = timezone.now()
    JetonAPI.objects.filter(client=client, expire_le__lt=now - timedelta(days=1)).delete()
    jeton = JetonAPI.objects.create(
        client=client, empreinte=token_digest(token["access_token"]),
        scope=token.get("scope") or "", emis_le=now,
        expire_le=now + timedelta(seconds=int(token["expires_in"])),
    )  # fmt: skip
    audit_log(actor=client.compte, action="api.token_issued", obj=client,
              data={"client_id": client.client_id, "expire_le": jeton.expire_le})  # fmt: skip
    return jeton


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class Bilan:
    """A processed bundle: the HTTP status and body, and what happened, for the audit log."""

    statut: int
    corps: dict
    crees: int = 0
    doublons: int = 0
    refuses: int = 0


_EFFETS = {
    EffetResultat.CONTACT_PROMU: "Résultat positif enregistré : la personne contact devient "
    "patient zéro (fiche n° %(fiche)s) ; son médecin et la plateforme la suivent.",
    EffetResultat.DIAGNOSTIC_CONFIRME: "Résultat positif enregistré : le diagnostic du patient "
    "zéro est confirmé (fiche n° %(fiche)s).",
    EffetResultat.PATIENT_ZERO_CREE: "Résultat positif enregistré : patient zéro créé (fiche "
    "n° %(fiche)s), à appeler par la plateforme de son département.",
    EffetResultat.RESULTAT_ENREGISTRE: "Résultat %(resultat)s enregistré sur la fiche n° "
    "%(fiche)s.",
    EffetResultat.SANS_FICHE: "Résultat négatif reçu : aucune fiche ouverte ne suit cette "
    "personne, rien n'est conservé de son identité.",
}


def _effet_texte(effet, fiche_id, resultat):
    return _(_EFFETS[effet]) % {"fiche": fiche_id, "resultat": resultat}


def _lieu(client: ClientAPI) -> str:
    labo = client.laboratoire
    return f"{labo.professionnel.nom_complet} ({_('FINESS')} {labo.numero})"[:200]


def _deja_recu(recu: ResultatRecu, empreinte: str, expression: str):
    quand = date_format(timezone.localtime(recu.recu_le), "d/m/Y à H:i")
    if recu.empreinte != empreinte:
        probleme = fhir.Probleme(
            "duplicate",
            _(
                "Cet identifiant de résultat a déjà été reçu le %(quand)s avec un contenu "
                "différent : rien n'est modifié. Un résultat se corrige avec un nouvel "
                "identifiant, ou auprès de la plateforme."
            ) % {"quand": quand},
            expression,
        )  # fmt: skip
        return fhir.CONFLICT, fhir.operation_outcome([probleme])
    texte = _(
        "Résultat déjà reçu le %(quand)s : il n'est pas enregistré une seconde fois. %(effet)s"
    ) % {"quand": quand, "effet": _effet_texte(recu.effet, recu.fiche_id, recu.resultat)}
    return fhir.OK, fhir.information(texte, expression)


def _recus(client: ClientAPI, resultats: list[fhir.Resultat]) -> dict:
    """The results of this bundle already received, by (system, identifier): one query."""
    identifiants = [r.identifiant for r in resultats if r.valide]
    if not identifiants:
        return {}
    rows = ResultatRecu.objects.filter(finess=client.finess, identifiant__in=identifiants)
    return {(row.identifiant_systeme, row.identifiant): row for row in rows}


def _commit_sans_attente() -> None:
    """This result's transaction commits without waiting for the disk (PostgreSQL's
    `synchronous_commit` off, for this transaction only): a bundle of 500 results would wait
    500 times. Nothing acknowledged can be lost: before the answer leaves, the call's audit entry
    commits synchronously, and a synchronous commit waits for the whole log before it, these
    results included (`bundle_recevoir`, `lot_traiter`)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def resultat_recevoir(*, client: ClientAPI, resultat: fhir.Resultat, lieu: str, recus=None):
    """One valid result, in its own transaction (a savepoint inside a `transaction` bundle):
    recorded once per (laboratory, Observation.identifier). `recus`: the bundle's results
    already received (`_recus`), else looked up. Returns (status, outcome)."""
    expression = f"Bundle.entry[{resultat.index}].resource.identifier"
    if not client.actif:  # revoked while its bundle or lot was on its way: nothing recorded
        probleme = fhir.Probleme("forbidden", _("Ce client API a été révoqué."), expression)
        return fhir.FORBIDDEN, fhir.operation_outcome([probleme])
    # Keyed (HMAC with the server's secret): the digest of a person's identity and result must
    # not let anyone holding that identity confirm, by hashing it, that they were tested.
    empreinte = salted_hmac(
        "api.ResultatRecu.empreinte", resultat.empreinte_source(), algorithm="sha256"
    ).hexdigest()
    cle = {"finess": client.finess, "identifiant_systeme": resultat.systeme,
           "identifiant": resultat.identifiant}  # fmt: skip
    if recus is None:
        existant = ResultatRecu.objects.filter(**cle).first()
    else:
        existant = recus.get((resultat.systeme, resultat.identifiant))
    if existant is not None:
        return _deja_recu(existant, empreinte, expression)
    try:
        propre = not connection.in_atomic_block  # its own transaction, not a savepoint
        with transaction.atomic():
            if propre:
                _commit_sans_attente()
            effet, fiche = resultat_laboratoire(
                user=client.compte, scope=resultats_scope(client), personne=resultat.personne,
                resultat=resultat.resultat, date=resultat.date_prelevement, lieu=lieu,
            )  # fmt: skip
            # Last, in the same transaction: the same identifier being recorded at this moment
            # by another request makes this insert wait for it, then fail, and undo this one.
            ResultatRecu.objects.create(
                **cle, client=client, empreinte=empreinte, resultat=resultat.resultat,
                effet=effet, fiche=fiche,
            )  # fmt: skip
    except IntegrityError:
        gagnant = ResultatRecu.objects.filter(**cle).first()
        if gagnant is None:
            raise  # not the same result recorded at the same moment: a real fault
        return _deja_recu(gagnant, empreinte, expression)
    except DomainError as error:
        champ = fhir.PATIENT_PATHS.get(error.field or "", "")
        lieu_patient = (f"Bundle.entry[{resultat.patient_index}].resource"
                        if resultat.patient_index is not None
                        else f"Bundle.entry[{resultat.index}].resource.contained")  # fmt: skip
        cible = champ.replace("Patient", lieu_patient, 1) if champ else (
            f"Bundle.entry[{resultat.index}].resource")  # fmt: skip
        probleme = fhir.Probleme("business-rule", str(error.message), cible)
        return fhir.UNPROCESSABLE, fhir.operation_outcome([probleme])
    texte = _effet_texte(effet, fiche.pk if fiche else None, resultat.resultat)
    return fhir.CREATED, fhir.information(texte, expression)


class _Annuler(Exception):
    """Rolls a `transaction` bundle back when one of its results is refused."""


def bundle_traiter(*, client: ClientAPI, document) -> Bilan:
    """A posted Bundle, processed now: a `batch` result by result, each in its own transaction
    (one refused never sinks the others); a `transaction` all or nothing."""
    try:
        lecture = fhir.lire(document, finess=client.finess)
    except fhir.BundleRefuse as refus:
        probleme = fhir.Probleme(refus.code, refus.message, refus.expression)
        return Bilan(refus.status, fhir.operation_outcome([probleme]), refuses=1)
    lieu = _lieu(client)
    reponses: dict[int, dict] = {}
    bilan = Bilan(200, {})
    if lecture.type == "transaction" and (
        lecture.orphelines or any(not r.valide for r in lecture.resultats)
    ):
        return _transaction_refusee(lecture, {}, bilan)
    tout_ou_rien = lecture.type == "transaction"
    recus = _recus(client, lecture.resultats)
    try:
        with transaction.atomic() if tout_ou_rien else contextlib.nullcontext():
            for resultat in lecture.resultats:
                if not resultat.valide:
                    statut = resultat.statut
                    outcome = fhir.operation_outcome(resultat.problemes)
                else:
                    statut, outcome = resultat_recevoir(
                        client=client, resultat=resultat, lieu=lieu, recus=recus
                    )
                _compter(bilan, statut)
                reponse = fhir.entree_reponse(statut, outcome)
                reponses[resultat.index] = reponse
                if resultat.patient_index is not None:
                    reponses[resultat.patient_index] = reponse
            refus = [r for r in reponses.values() if not r["response"]["status"].startswith("2")]
            if tout_ou_rien and refus:
                raise _Annuler
    except _Annuler:
        return _transaction_refusee(lecture, reponses, bilan)
    for index, orpheline in lecture.orphelines.items():
        reponses[index] = fhir.entree_reponse(
            orpheline.statut, fhir.operation_outcome(orpheline.problemes)
        )
        bilan.refuses += 1
    entrees = [reponses[i] for i in range(lecture.nombre)]
    bilan.corps = fhir.bundle_reponse(lecture.type, entrees)
    return bilan


def _compter(bilan: Bilan, statut: str) -> None:
    if statut == fhir.CREATED:
        bilan.crees += 1
    elif statut == fhir.OK:
        bilan.doublons += 1
    else:
        bilan.refuses += 1


def _transaction_refusee(lecture: fhir.Lecture, reponses: dict, bilan: Bilan) -> Bilan:
    """A `transaction` with a refused result: nothing was kept; one OperationOutcome lists every
    refusal, each at its entry (FHIR: a failed transaction answers with an OperationOutcome)."""
    problemes = []
    statuts = []
    refuses = [*lecture.orphelines.values(), *(r for r in lecture.resultats if not r.valide)]
    for resultat in refuses:
        problemes += resultat.problemes
        statuts.append(resultat.statut)
    # A Patient's entry shares its Observation's answer: each answer once.
    for reponse in {id(r): r for r in reponses.values()}.values():
        statut = reponse["response"]["status"]
        if not statut.startswith("2"):
            for issue in reponse["response"]["outcome"]["issue"]:
                problemes.append(fhir.Probleme(issue["code"], issue["diagnostics"],
                                               issue["expression"][0]))  # fmt: skip
            statuts.append(statut)
    problemes.insert(0, fhir.Probleme(
        "processing",
        _("Transaction refusée : aucun résultat de ce Bundle n'est enregistré. Corrigez les "
          "entrées signalées puis renvoyez-le entier."),
        "Bundle",
    ))  # fmt: skip
    # A refused laboratory first, then the first status met.
    code = 403 if fhir.FORBIDDEN in statuts else int((statuts or ["400"])[0][:3])
    return Bilan(code, fhir.operation_outcome(problemes), refuses=len(statuts) or 1)


def bundle_recevoir(
    *, client: ClientAPI, document, prefer: str = ""
) -> tuple[Bilan, LotFHIR | None]:
    """A posted Bundle: processed now, or — over `FHIR_SYNC_MAX_ENTREES` entries, or asked with
    « Prefer: respond-async » — kept and processed by the job runner (`api.tasks.traiter_lot`),
    enqueued in the same transaction as the lot: an acknowledged lot always has its job. The
    call is audited."""
    try:
        entrees = fhir.lire_enveloppe(document)
    except fhir.BundleRefuse as refus:
        probleme = fhir.Probleme(refus.code, refus.message, refus.expression)
        bilan = Bilan(refus.status, fhir.operation_outcome([probleme]), refuses=1)
        _audit_appel(client, document, bilan)
        return bilan, None
    if "respond-async" in (prefer or "") or len(entrees) > settings.FHIR_SYNC_MAX_ENTREES:
        from api.tasks import traiter_lot

        with transaction.atomic():
            lot = LotFHIR.objects.create(client=client, entrees=len(entrees), contenu=document)
            traiter_lot.enqueue(str(lot.pk))
            bilan = Bilan(202, {})
            _audit_appel(client, document, bilan, lot=lot)
        return bilan, lot
    bilan = bundle_traiter(client=client, document=document)
    _audit_appel(client, document, bilan)
    return bilan, None


def _audit_appel(client, document, bilan: Bilan, *, lot=None):
    type_ = document.get("type") if isinstance(document, dict) else None
    audit_log(
        actor=client.compte, action="api.bundle_received", obj=client,
        data={"client_id": client.client_id, "type": str(type_)[:20], "statut": bilan.statut,
              "crees": bilan.crees, "doublons": bilan.doublons, "refuses": bilan.refuses,
              "lot": str(lot.pk) if lot else None},
    )  # fmt: skip


LOT_BAIL = timedelta(minutes=15)
LOT_TENTATIVES = 3


def _libre(now):
    return Q(pris_le__isnull=True) | Q(pris_le__lt=now - LOT_BAIL)


def lot_traiter(*, lot_id) -> str:
    """Process a lot accepted with 202. Claimed by one conditional update (a second worker, or
    the same job run twice, finds it taken or done); each result commits on its own, so a
    crash mid-lot loses nothing: run again (`lots_relancer`), the results already recorded are
    recognised by their identifier and answer as the first time. After `LOT_TENTATIVES` failed
    runs, the lot ends « Échec technique » (its status URL says to send it again)."""
    now = timezone.now()
    libre = LotFHIR.objects.filter(pk=lot_id, etat=LotFHIR.Etat.EN_ATTENTE).filter(_libre(now))
    if not libre.update(pris_le=now, tentatives=F("tentatives") + 1):
        return "déjà pris ou terminé"
    lot = LotFHIR.objects.select_related(
        "client__laboratoire__professionnel", "client__compte"
    ).get(pk=lot_id)
    if lot.tentatives > LOT_TENTATIVES or not lot.client.actif:
        LotFHIR.objects.filter(pk=lot.pk).update(
            etat=LotFHIR.Etat.ECHEC, contenu=None, termine_le=now
        )
        audit_log(actor=lot.client.compte, action="api.lot_failed", obj=lot.client,
                  data={"lot": str(lot.pk), "tentatives": lot.tentatives - 1})  # fmt: skip
        return "échec"
    bilan = bundle_traiter(client=lot.client, document=lot.contenu)
    with transaction.atomic():
        LotFHIR.objects.filter(pk=lot.pk).update(
            etat=LotFHIR.Etat.TERMINE, statut_http=bilan.statut, reponse=bilan.corps,
            contenu=None, termine_le=timezone.now(),
        )  # fmt: skip
        audit_log(
            actor=lot.client.compte, action="api.lot_processed", obj=lot.client,
            data={"lot": str(lot.pk), "statut": bilan.statut, "crees": bilan.crees,
                  "doublons": bilan.doublons, "refuses": bilan.refuses},
        )  # fmt: skip
    return f"{bilan.crees} créés, {bilan.doublons} déjà reçus, {bilan.refuses} refusés"


def lots_relancer(*, now=None) -> int:
    """Lots whose job never ran or whose worker died (taken more than `LOT_BAIL` ago and not
    done): enqueued again. Their results already recorded answer as the first time."""
    from api.tasks import traiter_lot

    now = now or timezone.now()
    stale = LotFHIR.objects.filter(etat=LotFHIR.Etat.EN_ATTENTE, recu_le__lt=now - LOT_BAIL)
    with transaction.atomic():
        ids = list(stale.filter(_libre(now)).values_list("pk", flat=True)[:100])
        for lot_id in ids:
            traiter_lot.enqueue(str(lot_id))
    return len(ids)
