"""Import of a list of contacts (issue 13): on a patient zéro, for the doctor and the conseiller;
on a cluster, for the agent ARS (the contacts of one of its patients zéro, who join the
cluster). Upload → preview with each line's errors (nothing written) → confirm → a job creates
them in one transaction, the page follows it."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role
from fiches.audit import audit_log
from fiches.geography import departements_of_region
from fiches.models import Nature
from tracing import imports, tasks
from tracing.forms import ImportClusterForm, ImportFichierForm
from tracing.models import ImportContacts
from tracing.policy import (
    fiches_visible_to,
    get_cluster_for_user,
    get_fiche_for_user,
    get_import_for_user,
    role_required,
)

import_roles = role_required(Role.MEDECIN, Role.CONSEILLER)
follow_roles = role_required(Role.MEDECIN, Role.CONSEILLER, Role.ARS)


def _fiche_url(user, pk):
    name = "tracing:fiche" if user.has_role(Role.MEDECIN) else "tracing:plateforme_fiche"
    return reverse(name, args=[pk])


def _back_url(user, found):
    if found.cluster_id:
        return reverse("tracing:ars_cluster", args=[found.cluster_id])
    return _fiche_url(user, found.origine_id)


@import_roles
def importer(request, pk):
    origine = get_fiche_for_user(request.user, pk, write=True)
    if not origine.is_patient_zero or origine.brouillon:
        messages.info(request, _("Les contacts s'ajoutent à un patient zéro validé."))
        return redirect(_fiche_url(request.user, pk))
    form = ImportFichierForm(request.POST or None, request.FILES or None)
    context = {"origine": origine, "back_url": _fiche_url(request.user, pk)}
    return _upload(request, form, context, lambda data: origine)


@role_required(Role.ARS)
def importer_cluster(request, pk):
    cluster = get_cluster_for_user(request.user, pk)
    patients_zero = list(
        fiches_visible_to(request.user)
        .filter(clusters=cluster, nature=Nature.PATIENT_ZERO, brouillon=False)
        .order_by("-created_at")[:200]
    )
    form = ImportClusterForm(
        request.POST or None, request.FILES or None, patients_zero=patients_zero
    )
    context = {"cluster": cluster, "patients_zero": patients_zero,
               "back_url": reverse("tracing:ars_cluster", args=[cluster.pk])}  # fmt: skip
    return _upload(
        request, form, context,
        lambda data: next(f for f in patients_zero if f.pk == data["origine"]),
        cluster=cluster,
    )  # fmt: skip


def _upload(request, form, context, origine_of, *, cluster=None):
    """Read and check the file: its preview (nothing written but the import's row), or the
    page again with why the file was refused."""
    refus = ""
    if request.method == "POST" and form.is_valid():
        origine = origine_of(form.cleaned_data)
        fichier = form.cleaned_data["fichier"]
        try:
            lignes = imports.read(fichier)
        except imports.ImportRefused as error:
            refus = str(error)
        else:
            region = departements_of_region(cluster.region) if cluster is not None else None
            valid, errors = imports.check(lignes, origine, departements=region)
            if cluster is not None:  # members of the collectivité: the ARS follows them too
                for row in valid:
                    row["collectivite"] = cluster.collectivite
            found = ImportContacts.objects.create(
                user=request.user, origine=origine, cluster=cluster,
                nom_fichier=fichier.name[:200], lignes=valid, erreurs=errors,
            )  # fmt: skip
            return redirect("tracing:import_apercu", pk=found.pk)
    context |= {"form": form, "refus": refus}
    status = 400 if (refus or form.errors) else 200
    return render(request, "tracing/import.html", context, status=status)


@follow_roles
def modele(request):
    """The template file: the columns, two example lines (semicolons, as French Excel saves)."""
    response = HttpResponse(imports.TEMPLATE_CSV.encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="modele-import-contacts.csv"'
    return response


@follow_roles
def apercu(request, pk):
    found = get_import_for_user(request.user, pk)
    context = {
        "import": found,
        "erreurs": found.erreurs[: imports.SHOWN_ERRORS],
        "back_url": _back_url(request.user, found),
    }
    return render(request, "tracing/import_apercu.html", context)


@require_POST
@follow_roles
def confirmer(request, pk):
    found = get_import_for_user(request.user, pk)
    if found.cluster_id and not _still_in_cluster(request.user, found):
        messages.error(request, _("Le patient zéro n'est plus lié à ce cluster, ou le cluster "
                                  "est clos : rien n'a été importé."))  # fmt: skip
        return redirect("tracing:import_apercu", pk=found.pk)
    with transaction.atomic():
        locked = ImportContacts.objects.select_for_update().get(pk=found.pk)
        if locked.etat == ImportContacts.Etat.APERCU and locked.lignes:
            locked.etat = ImportContacts.Etat.EN_COURS
            locked.save(update_fields=["etat"])
            audit_log(
                actor=request.user, action="fiche.import_confirmed", obj=found.origine,
                data={"import": found.pk, "lignes": len(locked.lignes)}, request=request,
            )  # fmt: skip
            # Enqueued in the transaction that records the decision: both or neither.
            tasks.import_contacts.enqueue(found.pk)
        elif not locked.lignes:
            messages.error(request, _("Aucune ligne valide à importer."))
    return redirect("tracing:import_apercu", pk=found.pk)


def _still_in_cluster(user, found) -> bool:
    """Between the preview and the confirmation, the cluster may have closed or its patient
    zéro been unlinked (or left the agent's sight): then nothing is imported."""
    from tracing.models import Cluster

    return found.cluster.statut != Cluster.Statut.CLOS and (
        fiches_visible_to(user)
        .filter(pk=found.origine_id, clusters=found.cluster_id, brouillon=False)
        .exists()
    )
