"""Biologiste (laboratory): exact lookup, then the sample and its RT-PCR result. It sees only
what taking the sample needs: identity, coordonnées, prélèvement à domicile demandé,
destinataire du résultat."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role
from fiches import selectors_tracing, services_tracing
from fiches.audit import audit_log
from fiches.models import DestinataireResultats, DomainError
from fiches.models_tracing import CORRECTION_DELAI, Prelevement
from fiches.statuses import Statut
from tracing import lookup, submissions
from tracing.forms import CorrectionForm, PrelevementForm, ResultatForm
from tracing.policy import found_scope, get_found_fiche, role_required, visible_fields

biologiste_required = role_required(Role.BIOLOGISTE)


@biologiste_required
def recherche(request):
    return lookup.recherche(
        request,
        template="tracing/laboratoire/recherche.html",
        personne_url="tracing:laboratoire_personne",
    )


def _page(request, fiche, *, status=200, prelevement_form=None, resultat_form=None,
          correction_form=None, correction_pk=None):  # fmt: skip
    personne = selectors_tracing.fiche_fields(
        found_scope(request.user), pk=fiche.pk, fields=visible_fields(request.user)
    )
    destinataire = personne.get("destinataire_resultats")
    personne["destinataire_resultats"] = (
        DestinataireResultats(destinataire).label if destinataire else ""
    )
    context = {
        "personne": personne,
        # This laboratory's own samples only: another laboratory's results are not its business.
        "prelevements": Prelevement.objects.filter(fiche_id=fiche.pk, by=request.user).only(
            "id", "date", "lieu", "resultat", "resultat_le"
        ),
        "prelevement_form": prelevement_form or PrelevementForm(),
        "resultat_form": resultat_form or ResultatForm(),
        "correction_form": correction_form or CorrectionForm(),
        "correction_pk": correction_pk,
        "correction_depuis": timezone.now() - CORRECTION_DELAI,
    }
    return render(request, "tracing/laboratoire/personne.html", context, status=status)


@biologiste_required
def personne(request, pk):
    fiche = get_found_fiche(request, pk)
    audit_log(actor=request.user, action="fiche.viewed", obj=fiche, request=request)
    return _page(request, fiche)


@require_POST
@biologiste_required
def prelevement(request, pk):
    """Prélèvement réalisé: date and place."""
    fiche = get_found_fiche(request, pk)
    form = PrelevementForm(request.POST)
    if form.is_valid():

        def record():
            services_tracing.prelevement_record(
                fiche=fiche, user=request.user, request=request, **form.cleaned_data
            )
            return reverse("tracing:laboratoire_personne", args=[pk])

        try:
            submissions.once(request, record)
        except submissions.Duplicate as duplicate:
            return submissions.already_landed(request, duplicate)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Prélèvement enregistré."))
            return redirect("tracing:laboratoire_personne", pk=pk)
    return _page(request, fiche, status=400, prelevement_form=form)


def _confirmer_positif(request, fiche, sample):
    """The second step of a positive result: who it is, and what it will do."""
    personne = selectors_tracing.fiche_fields(
        found_scope(request.user), pk=fiche.pk, fields=("id", "prenom", "nom")
    )
    nom = f"{personne['prenom']} {personne['nom'].upper()}"
    if not fiche.is_patient_zero:
        consequence = _(
            "%(nom)s deviendra patient zéro (Confirmé RT-PCR) : son médecin et la plateforme le "
            "suivront comme tel, et ses propres personnes contacts seront recherchées."
        ) % {"nom": nom}
    elif fiche.statut == Statut.EN_ATTENTE:
        consequence = _("Le diagnostic de %(nom)s sera confirmé (Confirmé RT-PCR).") % {"nom": nom}
    else:
        consequence = _("Le résultat positif sera enregistré sur la fiche de %(nom)s.") % {
            "nom": nom
        }
    context = {"personne": personne, "prelevement": sample, "consequence": consequence}
    return render(request, "tracing/laboratoire/confirmer_positif.html", context)


@require_POST
@biologiste_required
def resultat(request, pk, prelevement_pk):
    """The RT-PCR result; positive promotes a contact to patient zéro."""
    fiche = get_found_fiche(request, pk)
    sample = get_object_or_404(
        Prelevement.objects.filter(fiche_id=fiche.pk, by=request.user), pk=prelevement_pk
    )
    form = ResultatForm(request.POST)
    positif = form.is_valid() and form.cleaned_data["resultat"] == Prelevement.Resultat.POSITIF
    if positif and not form.cleaned_data["confirme"]:
        return _confirmer_positif(request, fiche, sample)
    if form.is_valid():
        try:
            services_tracing.resultat_record(
                prelevement=sample,
                user=request.user,
                resultat=form.cleaned_data["resultat"],
                request=request,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if form.cleaned_data["resultat"] == Prelevement.Resultat.POSITIF:
                messages.success(
                    request,
                    _(
                        "Résultat positif enregistré : la personne devient patient zéro "
                        "(Confirmé RT-PCR) ; son médecin la voit dans sa liste."
                    ),
                )
            else:
                messages.success(request, _("Résultat négatif enregistré."))
            return redirect("tracing:laboratoire_personne", pk=pk)
    return _page(request, fiche, status=400, resultat_form=form)


@require_POST
@biologiste_required
def correction(request, pk, prelevement_pk):
    """Correct a result this laboratory recorded less than a day ago (issue 17 § 6)."""
    fiche = get_found_fiche(request, pk)
    sample = get_object_or_404(
        Prelevement.objects.filter(fiche_id=fiche.pk, by=request.user), pk=prelevement_pk
    )
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            done = services_tracing.resultat_corriger(
                prelevement=sample, user=request.user, resultat=form.cleaned_data["resultat"],
                motif=form.cleaned_data["motif"], request=request,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _correction_message(done))
            return redirect("tracing:laboratoire_personne", pk=pk)
    return _page(request, fiche, status=400, correction_form=form, correction_pk=sample.pk)


def _correction_message(done) -> str:
    if done.apres == Prelevement.Resultat.POSITIF:
        return _("Résultat corrigé en positif : la personne est suivie comme patient zéro.")
    if done.promotion_annulee:
        return _(
            "Résultat corrigé en négatif : le passage en patient zéro (ou la confirmation du "
            "diagnostic) que le résultat positif avait fait est annulé."
        )
    return _(
        "Résultat corrigé en négatif. La personne reste patient zéro : un autre résultat positif "
        "ou d'autres actions depuis (appel, contacts, modification de la fiche) l'en empêchent ; "
        "son médecin et la plateforme voient le résultat corrigé sur la fiche. Prévenez la "
        "plateforme de l'Assurance Maladie (3608) si la personne doit redevenir contact."
    )
