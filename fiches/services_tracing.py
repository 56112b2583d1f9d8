"""Writes of the call platforms, laboratories and pharmacies (issue 5). Same rules as
`fiches.services`: keyword-only, one transaction, the fiche's row locked, `update_fields`,
statuses moved only by `fiches.services.status_change`, an audit entry in the same transaction.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fiches import statuses
from fiches.audit import AuditLog, audit_log
from fiches.models import ArgumentDiagnostic, DomainError, Fiche, Nature, StatusChange
from fiches.models_tracing import (
    CORRECTION_DELAI,
    Appel,
    CorrectionResultat,
    DelivranceMasques,
    Prelevement,
)
from fiches.services import (
    check_version,
    fiche_create,
    fiche_promote,
    fiche_update,
    phone_known,
    status_change,
    status_undo,
)
from fiches.statuses import Statut

# Where each outcome of a call takes the fiche.
ISSUE_TO_STATUT = {
    Appel.Issue.JOINT: Statut.APPEL_REALISE,
    Appel.Issue.REFUS: Statut.APPEL_REALISE,
    Appel.Issue.PAS_DE_REPONSE: Statut.PATIENT_A_RAPPELER,
    Appel.Issue.FAUX_NUMERO: Statut.CONTACT_NON_AVERE,
    Appel.Issue.NON_AVERE: Statut.CONTACT_NON_AVERE,
}


def _lock(fiche: Fiche) -> Fiche:
    return Fiche.objects.select_for_update().get(pk=fiche.pk)


def _lock_person(fiche: Fiche) -> Fiche:
    """The fiche and the fiches linked to it as one person, locked in id order: two calls
    recorded at once on two fiches of one person wait for each other, never deadlock."""
    personne = Fiche.objects.filter(pk=fiche.pk).values_list("personne", flat=True).first()
    if personne is None:
        return _lock(fiche)
    group = Fiche.objects.filter(Q(personne=personne) | Q(pk=fiche.pk)).order_by("id")
    return next(row for row in group.select_for_update() if row.pk == fiche.pk)


@transaction.atomic
def appel_record(
    *,
    fiche: Fiche,
    user,
    issue: str,
    rappel_le: datetime | None = None,
    consigne_masque: bool = False,
    consigne_test: bool = False,
    consigne_isolement: bool = False,
    date_dernier_contact: date | None = None,
    note: str = "",
    version: int | None = None,
    scope=None,
    request=None,
) -> Appel:
    """Record a call and move the fiche accordingly: joint or refus → Appel réalisé; pas de
    réponse → Patient à rappeler at `rappel_le` (in the future); faux numéro or non avéré →
    Contact non avéré. A move the transition table refuses refuses the call too. On fiches
    linked as one person, the call is recorded on each one within `scope` (the agent's)."""
    locked = _lock_person(fiche)
    check_version(locked, version)
    to = statut_after_call(issue, locked.statut)
    if issue == Appel.Issue.PAS_DE_REPONSE:
        if rappel_le is None:
            raise DomainError(_("Indiquez la date et l'heure du rappel."), field="rappel_le")
        if rappel_le <= timezone.now():
            raise DomainError(_("Le rappel doit être dans le futur."), field="rappel_le")
    else:
        rappel_le = None
    if consigne_isolement and date_dernier_contact is None:
        raise DomainError(
            _("Indiquez la date du dernier contact pour calculer la fin de la quatorzaine."),
            field="date_dernier_contact",
        )
    if to is not None and not statuses.is_allowed(locked.statut, to):
        raise DomainError(
            _("Un appel « %(issue)s » n'est pas possible pour une fiche à l'état « %(statut)s ».")
            % {"issue": Appel.Issue(issue).label, "statut": Statut(locked.statut).label}
        )
    appel = Appel.objects.create(
        fiche=locked,
        by=user,
        issue=issue,
        rappel_le=rappel_le,
        consigne_masque=consigne_masque,
        consigne_test=consigne_test,
        consigne_isolement=consigne_isolement,
        date_dernier_contact=date_dernier_contact,
        note=note,
    )
    # The call is recorded: the person is free for « fiche suivante » again (at the recall).
    locked.rappel_le = rappel_le
    locked.reservee_par = None
    locked.reservee_jusqua = None
    locked.version = F("version") + 1
    locked.save(update_fields=["rappel_le", "reservee_par", "reservee_jusqua", "version"])
    locked.refresh_from_db(fields=["version"])
    if to is not None:
        motif = _("Appel : %s") % appel.get_issue_display()
        status_change(fiche=locked, user=user, to=to, motif=motif)
    if locked.personne is not None:
        _same_call_on_linked_fiches(locked, appel, user=user, scope=scope, request=request)
    audit_log(
        actor=user,
        action="fiche.call_recorded",
        obj=locked,
        data={"appel": appel.pk, "issue": issue, "rappel_le": rappel_le},
        request=request,
    )
    return appel


def statut_after_call(issue: str, statut: str) -> str | None:
    """Where a call's outcome takes a fiche in `statut` (None: it keeps its status)."""
    if issue == Appel.Issue.PAS_DE_REPONSE and statut == Statut.DIAGNOSTIC_CONFIRME:
        # A patient zéro who does not answer keeps Diagnostic confirmé (the status table has no
        # other way out of it but the call) and comes back in the queue at the planned recall.
        return None
    return ISSUE_TO_STATUT[issue]


def _same_call_on_linked_fiches(fiche: Fiche, appel: Appel, *, user, scope, request) -> None:
    """« Même personne »: the call just recorded is recorded on each linked fiche the agent may
    write (`scope`), where its status allows the same move (a closed one is left as it is). The
    date of last contact is each fiche's own exposure: not copied."""
    linked = Fiche.objects.filter(personne=fiche.personne).exclude(pk=fiche.pk).order_by("id")
    if scope is not None:
        linked = linked.filter(pk__in=scope.values("pk"))
    for other in linked:
        to = statut_after_call(appel.issue, other.statut)
        if to is not None and not statuses.is_allowed(other.statut, to):
            continue
        copie = Appel.objects.create(
            fiche=other, by=user, issue=appel.issue, rappel_le=appel.rappel_le,
            consigne_masque=appel.consigne_masque, consigne_test=appel.consigne_test,
            consigne_isolement=appel.consigne_isolement,
            note=_("Même personne que la fiche n° %s.") % fiche.pk,
        )  # fmt: skip
        other.rappel_le = appel.rappel_le
        other.reservee_par = None
        other.reservee_jusqua = None
        other.version = F("version") + 1
        other.save(update_fields=["rappel_le", "reservee_par", "reservee_jusqua", "version"])
        if to is not None:
            motif = _("Appel (même personne que la fiche n° %s)") % fiche.pk
            status_change(fiche=other, user=user, to=to, motif=motif)
        audit_log(
            actor=user, action="fiche.call_recorded", obj=other, request=request,
            data={"appel": copie.pk, "issue": appel.issue, "meme_personne": fiche.pk},
        )  # fmt: skip


@transaction.atomic
def telephone_complete(
    *, fiche: Fiche, user, telephone: str, version: int | None = None, request=None
) -> Fiche:
    """Enrich a fiche with a phone number (normalised by the form); a Contact à trouver then
    becomes À contacter."""
    if not telephone:
        raise DomainError(_("Indiquez un numéro de téléphone valide."), field="telephone")
    locked = _lock(fiche)
    check_version(locked, version)
    locked.telephone = telephone
    locked.version = F("version") + 1
    locked.save(update_fields=["telephone", "version"])
    locked.refresh_from_db(fields=["version"])
    audit_log(
        actor=user, action="fiche.updated", obj=locked, data={"champs": ["telephone"]},
        request=request,
    )  # fmt: skip
    return phone_known(fiche=locked, user=user)


@transaction.atomic
def fiche_close(
    *, fiche: Fiche, user, motif: str, version: int | None = None, request=None
) -> Fiche:
    """Clôturer: the follow-up is over; a reason is required."""
    motif = (motif or "").strip()
    if not motif:
        raise DomainError(_("Indiquez le motif de la clôture."), field="motif")
    check_version(_lock(fiche), version)
    return status_change(fiche=fiche, user=user, to=Statut.CLOTURE, motif=motif)


@transaction.atomic
def prelevement_record(*, fiche: Fiche, user, date: date, lieu: str, request=None) -> Prelevement:
    """The laboratory took a sample ("prélèvement réalisé")."""
    locked = _lock(fiche)
    if locked.statut == Statut.CLOTURE:
        raise DomainError(_("Cette fiche est clôturée."))
    if date > timezone.localdate():
        raise DomainError(_("La date du prélèvement ne peut pas être dans le futur."), field="date")
    prelevement = Prelevement.objects.create(fiche=locked, by=user, date=date, lieu=lieu)
    audit_log(
        actor=user,
        action="fiche.sample_recorded",
        obj=locked,
        data={"prelevement": prelevement.pk, "date": date, "lieu": lieu},
        request=request,
    )
    return prelevement


@transaction.atomic
def resultat_record(*, prelevement: Prelevement, user, resultat: str, request=None) -> Prelevement:
    """The RT-PCR result of a sample, once. Positive: the argument du diagnostic becomes
    Confirmé RT-PCR and a contact is promoted to patient zéro by `fiche_promote`, the service
    the doctor's screens use."""
    prelevement = Prelevement.objects.select_for_update().get(pk=prelevement.pk)
    if prelevement.resultat:
        raise DomainError(_("Le résultat de ce prélèvement est déjà enregistré."))
    if resultat not in Prelevement.Resultat.values:
        raise DomainError(_("Résultat inconnu."), field="resultat")
    prelevement.resultat = resultat
    prelevement.resultat_le = timezone.now()
    prelevement.save(update_fields=["resultat", "resultat_le"])
    locked = _lock(prelevement.fiche)
    audit_log(
        actor=user,
        action="fiche.result_recorded",
        obj=locked,
        data={"prelevement": prelevement.pk, "resultat": resultat},
        request=request,
    )
    if resultat == Prelevement.Resultat.POSITIF:
        _positif(locked, user=user)
    return prelevement


def _positif(locked: Fiche, *, user) -> None:
    """A positive RT-PCR on a fiche (its row locked): the argument du diagnostic becomes
    Confirmé RT-PCR; a contact is promoted (`fiche_promote`), a patient zéro waiting for its
    diagnosis confirmed."""
    locked.argument_diagnostic = ArgumentDiagnostic.RT_PCR
    locked.version = F("version") + 1
    locked.save(update_fields=["argument_diagnostic", "version"])
    if not locked.is_patient_zero:
        fiche_promote(fiche=locked, user=user)
    elif locked.statut == Statut.EN_ATTENTE:
        status_change(
            fiche=locked, user=user, to=Statut.DIAGNOSTIC_CONFIRME,
            motif=_("Résultat RT-PCR positif"),
        )  # fmt: skip


def _effet(locked: Fiche, *, positif: bool) -> str:
    if not positif:
        return EffetResultat.RESULTAT_ENREGISTRE
    if not locked.is_patient_zero:
        return EffetResultat.CONTACT_PROMU
    if locked.statut == Statut.EN_ATTENTE:
        return EffetResultat.DIAGNOSTIC_CONFIRME
    return EffetResultat.RESULTAT_ENREGISTRE


@transaction.atomic
def resultat_corriger(
    *, prelevement: Prelevement, user, resultat: str, motif: str, request=None
) -> CorrectionResultat:
    """A laboratory corrects a result it recorded, within CORRECTION_DELAI (a day) of
    recording it. Now positive: as any positive result (`_positif`). Now negative: the promotion
    or confirmation the positive result made is undone (`status_undo`) — only if nothing
    happened on the fiche since (no other move, no call, no contact named); otherwise the person
    stays where they are and the answer says so. Each correction is kept (who, when, from, to,
    why) and audited."""
    prelevement = Prelevement.objects.select_for_update().get(pk=prelevement.pk)
    if prelevement.by_id != user.pk:
        raise DomainError(_("Seul le laboratoire qui a enregistré ce résultat peut le corriger."))
    if not prelevement.resultat:
        raise DomainError(_("Ce prélèvement n'a pas encore de résultat."))
    if resultat not in Prelevement.Resultat.values:
        raise DomainError(_("Résultat inconnu."), field="resultat")
    if resultat == prelevement.resultat:
        raise DomainError(
            _("Le résultat enregistré est déjà « %s ».") % Prelevement.Resultat(resultat).label,
            field="resultat",
        )
    motif = (motif or "").strip()
    if not motif:
        raise DomainError(_("Indiquez le motif de la correction."), field="motif")
    if timezone.now() - prelevement.resultat_le > CORRECTION_DELAI:
        raise DomainError(
            _(
                "Ce résultat a été enregistré il y a plus de 24 h : il ne se corrige plus ici. "
                "Contactez la plateforme de l'Assurance Maladie (3608)."
            )  # fmt: skip
        )
    locked = _lock(prelevement.fiche)
    if locked.statut == Statut.CLOTURE or locked.purgee_le is not None:
        raise DomainError(
            _("Cette fiche est clôturée : contactez la plateforme de l'Assurance Maladie (3608).")
        )
    avant = prelevement.resultat
    prelevement.resultat = resultat
    prelevement.save(update_fields=["resultat"])
    annulee = False
    if resultat == Prelevement.Resultat.POSITIF:
        _positif(locked, user=user)
    else:
        annulee = _annuler_positif(locked, prelevement, user=user, motif=motif)
    correction = CorrectionResultat.objects.create(
        prelevement=prelevement, by=user, avant=avant, apres=resultat, motif=motif[:300],
        promotion_annulee=annulee,
    )  # fmt: skip
    audit_log(
        actor=user, action="fiche.result_corrected", obj=locked, request=request,
        data={"prelevement": prelevement.pk, "avant": avant, "apres": resultat,
              "promotion_annulee": annulee},
    )  # fmt: skip
    return correction


# What others may have done on the fiche since a positive result, and that a correction must
# not silently undo: every audited write but reads.
_LECTURES = ("fiche.viewed", "fiches.listed", "admin.viewed", "admin.listed", "fiche.lookup",
             "fiche.searched", "fiche.reserved")  # fmt: skip


def _annuler_positif(locked: Fiche, prelevement: Prelevement, *, user, motif) -> bool:
    """Undo what a positive result did — the promotion of a contact, or the confirmation of a
    waiting patient zéro — if it did something, if no other positive result stands on the
    fiche, and if nobody else wrote on the fiche since (any audited write: a call, an edit, a
    contact named, a form sent, masks, a cluster…)."""
    change = (
        StatusChange.objects.filter(fiche=locked, by_id=prelevement.by_id,
                                    at__gte=prelevement.resultat_le,
                                    to_statut=Statut.DIAGNOSTIC_CONFIRME)
        .order_by("-at", "-id").first()
    )  # fmt: skip
    if change is None:
        return False  # the positive result moved nothing (a patient zéro already confirmed)
    autre_positif = (
        Prelevement.objects.filter(fiche=locked, resultat=Prelevement.Resultat.POSITIF)
        .exclude(pk=prelevement.pk).exists()
    )  # fmt: skip
    since = prelevement.resultat_le
    busy = (
        autre_positif
        or StatusChange.objects.filter(fiche=locked).filter(Q(at__gt=change.at) | Q(
            at=change.at, id__gt=change.pk)).exists()
        or Appel.objects.filter(fiche=locked, at__gte=since).exists()
        or Fiche.objects.filter(origine=locked, created_at__gte=since).exists()
        or AuditLog.objects.for_object(locked).filter(created_at__gte=since)
        .exclude(actor=user).exclude(action__in=_LECTURES).exists()
    )  # fmt: skip
    if busy:
        return False
    status_undo(
        fiche=locked, user=user, change=change,
        motif=_("Résultat corrigé par le laboratoire : %s") % motif[:200],
    )  # fmt: skip
    # Before the positive result, no argument du diagnostic: a contact is promoted, a waiting
    # patient zéro confirmed, only with one.
    fields = {"argument_diagnostic": ""}
    if change.from_statut in statuses.CONTACT_STATUSES:
        fields["nature"] = Nature.CONTACT
    Fiche.objects.filter(pk=locked.pk).update(**fields, version=F("version") + 1)
    return True


class EffetResultat:
    """What a laboratory system's result did (`resultat_laboratoire`)."""

    CONTACT_PROMU = "contact_promu"
    DIAGNOSTIC_CONFIRME = "diagnostic_confirme"
    PATIENT_ZERO_CREE = "patient_zero_cree"
    RESULTAT_ENREGISTRE = "resultat_enregistre"
    SANS_FICHE = "sans_fiche"


PERSONNE_FIELDS = ("nir", "nom", "prenom", "date_naissance", "telephone", "email", "voie",
                   "code_postal", "commune")  # fmt: skip


@transaction.atomic
def resultat_laboratoire(
    *, user, scope, personne: dict, resultat: str, date: date, lieu: str
) -> tuple[str, Fiche | None]:
    """An RT-PCR result sent by a laboratory's system (issue 16), with the laboratory screen's
    rules and services: the sample and its result are recorded on the person's open fiche
    (`selectors_tracing.fiche_pour_resultat` within `scope`, the policy's); positive, a contact
    is promoted and a patient zéro waiting for its diagnosis confirmed (`resultat_record`).
    Positive for a person no open fiche follows: a patient zéro without a doctor in the
    département of their address, Diagnostic confirmé, in the platform's queue. Negative with no
    open fiche: nothing to follow, nothing kept. Returns (EffetResultat, fiche)."""
    from fiches.identity import departement_from_code_postal
    from fiches.selectors_tracing import fiche_pour_resultat

    fiche = fiche_pour_resultat(
        scope, nir=personne.get("nir", ""), nom=personne.get("nom", ""),
        prenom=personne.get("prenom", ""), date_naissance=personne.get("date_naissance"),
    )  # fmt: skip
    positif = resultat == Prelevement.Resultat.POSITIF
    effet = None
    if fiche is None:
        if not positif:
            return EffetResultat.SANS_FICHE, None
        if not departement_from_code_postal(personne.get("code_postal", "")):
            raise DomainError(
                _(
                    "Personne sans fiche ouverte et sans code postal : le patient zéro ne peut "
                    "être confié à aucune plateforme. Renvoyez le résultat avec l'adresse."
                ),
                field="code_postal",
            )  # fmt: skip
        data = {name: personne[name] for name in PERSONNE_FIELDS if personne.get(name)}
        data["argument_diagnostic"] = ArgumentDiagnostic.RT_PCR
        fiche = fiche_create(user=user, data=data, sans_medecin=True, depuis_resultat=True)
        effet = EffetResultat.PATIENT_ZERO_CREE
    locked = _lock(fiche)
    if locked.statut == Statut.CLOTURE:  # closed between the lookup and the lock
        raise DomainError(
            _("La fiche de cette personne vient d'être clôturée : renvoyez le résultat.")
        )
    if effet is None:
        effet = _effet(locked, positif=positif)
    if date > timezone.localdate():
        raise DomainError(_("La date du prélèvement ne peut pas être dans le futur."), field="date")
    # The sample and its result arrive together: one row, one audit entry (the screen records
    # them in two steps: `prelevement_record`, then `resultat_record`).
    prelevement = Prelevement.objects.create(
        fiche=locked, by=user, date=date, lieu=lieu, resultat=resultat,
        resultat_le=timezone.now(),
    )  # fmt: skip
    audit_log(
        actor=user, action="fiche.result_recorded", obj=locked,
        data={"prelevement": prelevement.pk, "resultat": resultat, "date": date, "lieu": lieu},
    )  # fmt: skip
    if positif:
        _positif(locked, user=user)
    return effet, fiche


SEMAINE = timedelta(days=7)


def masques_de_la_semaine(fiche_id: int, *, jour: date) -> list[DelivranceMasques]:
    """The deliveries of the 7 days ending on `jour` (any pharmacy), oldest first."""
    return list(
        DelivranceMasques.objects.filter(fiche_id=fiche_id, date__gt=jour - SEMAINE, date__lte=jour)
        .order_by("date", "id")
        .only("id", "date", "nombre")
    )


def _semaine_la_plus_chargee(fiche_id: int, *, jour: date, nombre: int):
    """Of every 7-day window holding `jour`, the one with the most masks once these `nombre`
    are added (a delivery dated back must not escape a later one): (its deliveries, total)."""
    autour = list(
        DelivranceMasques.objects.filter(
            fiche_id=fiche_id, date__gt=jour - SEMAINE, date__lt=jour + SEMAINE
        ).order_by("date", "id").only("id", "date", "nombre")
    )  # fmt: skip
    best = ([], nombre)
    for debut in (jour - timedelta(days=k) for k in range(7)):
        dedans = [d for d in autour if debut <= d.date < debut + SEMAINE]
        total = nombre + sum(d.nombre for d in dedans)
        if total > best[1]:
            best = (dedans, total)
    return best


DEPASSEMENT = "confirmer_depassement"


@transaction.atomic
def masques_deliver(
    *, fiche: Fiche, user, date: date, nombre: int = 14, confirme: bool = False, request=None
) -> DelivranceMasques:
    """A pharmacy hands masks to a contact (14 by default: one a day of quatorzaine). Beyond
    MASQUES_PAR_SEMAINE over the 7 days ending on that date (earlier deliveries included, by any
    pharmacy), the pharmacist confirms first (`ConfirmationNeeded`, naming those deliveries):
    a second delivery the same day is more often a double entry than a need."""
    from django.conf import settings

    locked = _lock(fiche)
    if nombre < 1 or nombre > 100:
        raise DomainError(
            _("Le nombre de masques doit être compris entre 1 et 100."), field="nombre"
        )
    if date > timezone.localdate():
        raise DomainError(_("La date de délivrance ne peut pas être dans le futur."), field="date")
    semaine, total = _semaine_la_plus_chargee(locked.pk, jour=date, nombre=nombre)
    deja = total - nombre
    allocation = settings.MASQUES_PAR_SEMAINE
    if deja + nombre > allocation and not confirme:
        detail = ", ".join(f"le {d.date:%d/%m} : {d.nombre}" for d in semaine) or "—"
        raise ConfirmationNeeded(
            _(
                "Déjà %(deja)s masques délivrés sur 7 jours autour du %(jour)s (%(detail)s) : "
                "avec ces %(nombre)s, ce serait %(total)s pour %(allocation)s prévus par "
                "semaine. Vérifiez qu'il ne s'agit pas d'une double saisie, puis cochez la "
                "confirmation pour enregistrer."
            ) % {"deja": deja, "jour": f"{date:%d/%m/%Y}", "detail": detail, "nombre": nombre,
                 "total": deja + nombre, "allocation": allocation},
            confirmation=DEPASSEMENT, value=deja + nombre,
        )  # fmt: skip
    delivrance = DelivranceMasques.objects.create(fiche=locked, by=user, date=date, nombre=nombre)
    audit_log(
        actor=user,
        action="fiche.masks_delivered",
        obj=locked,
        data={"delivrance": delivrance.pk, "date": date, "nombre": nombre,
              "au_dela_allocation": deja + nombre > allocation},
        request=request,
    )  # fmt: skip
    return delivrance


class ConfirmationNeeded(DomainError):
    """The change is allowed, but its consequence must be confirmed first (`confirmation` names
    what the form sends back once the person has ticked it)."""

    def __init__(self, message, *, confirmation, value):
        super().__init__(message)
        self.confirmation = confirmation
        self.value = value  # what is confirmed: a later change of it asks again


TRANSFERT = "confirmer_transfert"
CONSENTEMENT = "confirmer_consentement"


@transaction.atomic
def fiche_enrich(
    *, fiche: Fiche, user, data: dict, version: int, departements=(), confirmed=None,
    request=None,
) -> Fiche:  # fmt: skip
    """The platform completes a fiche (the guide's « enrichissement progressif ») through the
    doctor's `fiche_update`; a contact à trouver whose phone is now known becomes À contacter.

    Two changes need the agent's confirmation (`confirmed`) and are audited: a code postal in a
    département outside the agent's `departements` (the fiche goes to another caisse and leaves
    this agent's sight), and a change of the patient zéro's consent to be named."""
    from fiches.geography import departement_name
    from fiches.identity import departement_from_code_postal

    confirmed = confirmed or {}
    vers = departement_from_code_postal(data.get("code_postal", fiche.code_postal))
    transfert = bool(departements) and vers and vers != fiche.departement
    transfert = transfert and vers not in departements
    if transfert and confirmed.get(TRANSFERT) != vers:
        raise ConfirmationNeeded(
            _(
                "La fiche sera transmise à la caisse du département %(dep)s (%(nom)s) : vous ne "
                "la verrez plus. Cochez la confirmation puis validez à nouveau."
            ) % {"dep": vers, "nom": departement_name(vers)},
            confirmation=TRANSFERT, value=vers,
        )  # fmt: skip
    avant = fiche.accord_identite
    apres = data.get("accord_identite", avant)
    consentement = fiche.is_patient_zero and apres != avant
    if consentement and confirmed.get(CONSENTEMENT) != (apres or "vide"):
        raise ConfirmationNeeded(
            _(
                "Vous changez l'accord du patient zéro pour que son identité soit communiquée à "
                "ses contacts. Confirmez qu'il vous l'a dit lui-même, puis validez à nouveau."
            ),
            confirmation=CONSENTEMENT, value=apres or "vide",
        )  # fmt: skip
    updated = fiche_update(fiche=fiche, user=user, data=data, version=version, valider=True)
    if updated.statut == Statut.CONTACT_A_TROUVER and updated.telephone:
        updated = status_change(
            fiche=updated, user=user, to=Statut.A_CONTACTER, motif=_("Téléphone renseigné")
        )
    if transfert:
        audit_log(
            actor=user, action="fiche.transferred", obj=updated, request=request,
            data={"de": fiche.departement, "vers": vers},
        )  # fmt: skip
    if consentement:
        audit_log(
            actor=user, action="fiche.consent_changed", obj=updated, request=request,
            data={"avant": avant, "apres": updated.accord_identite},
        )  # fmt: skip
    return updated


RESERVATION = timedelta(minutes=10)


def fiche_suivante(*, fiches, user, now=None) -> Fiche | None:
    """« Fiche suivante »: the first person of the queue (`fiches`: the agent's scope) that no
    other agent has on the phone, reserved for `user` for `RESERVATION`. Each segment of the
    queue is one index-ordered read of one row, locked with SKIP LOCKED on PostgreSQL: agents
    pressing at the same moment skip each other's rows and never get the same person. A row
    reserved for this agent already comes back to them (a page reloaded, a second tab)."""
    from fiches.selectors_tracing import queue_segments

    now = now or timezone.now()
    fiches = fiches.filter(purgee_le__isnull=True)
    free = Q(reservee_jusqua__isnull=True) | Q(reservee_jusqua__lte=now) | Q(reservee_par=user)
    with transaction.atomic():
        for segment in queue_segments(now):
            row = (
                fiches.filter(segment.condition)
                .filter(free)
                .order_by(segment.key, "id")
                .select_for_update(skip_locked=True, of=("self",))
                .only("id", "version")
                .first()
            )
            if row is None:
                continue
            Fiche.objects.filter(pk=row.pk).update(
                reservee_par=user, reservee_jusqua=now + RESERVATION
            )
            audit_log(actor=user, action="fiche.reserved", obj=row, data={"file": segment.name})
            return Fiche.objects.get(pk=row.pk)
    return None


@transaction.atomic
def fiche_liberer(*, fiche: Fiche, user) -> None:
    """The agent gives the person back to the queue without calling (« Remettre dans la
    file »): only their own reservation."""
    Fiche.objects.filter(pk=fiche.pk, reservee_par=user).update(
        reservee_par=None, reservee_jusqua=None
    )


@transaction.atomic
def rappel_deplacer(
    *, fiche: Fiche, user, rappel_le: datetime, version: int | None, request=None
) -> Fiche:
    """Move a planned recall (the person asked to be called at another time)."""
    locked = _lock(fiche)
    check_version(locked, version)
    if locked.rappel_le is None:
        raise DomainError(_("Cette fiche n'a pas de rappel planifié."))
    if rappel_le <= timezone.now():
        raise DomainError(_("Le rappel doit être dans le futur."), field="rappel_le")
    previous = locked.rappel_le
    locked.rappel_le = rappel_le
    locked.version = F("version") + 1
    locked.save(update_fields=["rappel_le", "version"])
    locked.refresh_from_db(fields=["version"])
    audit_log(
        actor=user, action="fiche.recall_moved", obj=locked,
        data={"de": previous, "vers": rappel_le}, request=request,
    )  # fmt: skip
    return locked


@transaction.atomic
def meme_personne_lier(*, fiche: Fiche, autre: Fiche, user, request=None) -> None:
    """« Même personne »: two fiches (and whatever each was already linked with) become one
    person to call. Both keep their own chain, statuses and history; nothing is merged away."""
    if fiche.pk == autre.pk:
        raise DomainError(_("Une fiche ne peut pas être liée à elle-même."))
    if fiche.origine_id == autre.pk or autre.origine_id == fiche.pk:
        raise DomainError(
            _("Un patient zéro et sa propre personne contact ne sont pas la même personne.")
        )
    pair = [fiche.pk, autre.pk]
    known = set(
        Fiche.objects.filter(pk__in=pair, personne__isnull=False).values_list("personne", flat=True)
    )
    members = list(
        Fiche.objects.filter(Q(pk__in=pair) | Q(personne__in=known))
        .order_by("id")
        .select_for_update()
    )  # every fiche of both groups, locked in id order
    locked = [row for row in members if row.pk in pair]
    groups = {row.personne for row in locked if row.personne is not None}
    personne = min([*groups, *pair])
    Fiche.objects.filter(Q(pk__in=pair) | Q(personne__in=groups)).update(personne=personne)
    for row in locked:
        audit_log(
            actor=user, action="fiche.same_person_linked", obj=row, request=request,
            data={"avec": autre.pk if row.pk == fiche.pk else fiche.pk, "personne": personne},
        )  # fmt: skip


def reservation_renew(*, fiche: Fiche, user, now=None) -> None:
    """The agent still has the person on the phone (they opened or posted the fiche): their
    reservation runs `RESERVATION` again from now. Only their own."""
    now = now or timezone.now()
    Fiche.objects.filter(pk=fiche.pk, reservee_par=user, reservee_jusqua__gt=now).update(
        reservee_jusqua=now + RESERVATION
    )
