"""Agent ARS (niveau 3, its région): collectivity cases grouped by kind and département,
clusters, and the CSV export of its région's collectivity cases."""

import csv

from django.contrib import messages
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role
from contactcovid.routers import lectures_differees
from fiches import chains, selectors_tracing
from fiches.audit import audit_log
from fiches.geography import departements_of_region, region_name
from fiches.models import Collectivite, DomainError, Nature
from fiches.statuses import Statut
from tracing import services, submissions
from tracing.forms import ClusterForm, ClusterSuiviForm, LierFicheForm
from tracing.models import Cluster
from tracing.policy import (
    clusters_of,
    fiches_visible_to,
    get_cluster_for_user,
    get_fiche_for_user,
    region_of,
    role_required,
)

ars_required = role_required(Role.ARS)


def _region_context(user):
    region = region_of(user)
    return {"region": region, "region_nom": region_name(region) if region else ""}


@ars_required
def collectivites(request):
    with lectures_differees():  # a list that may be a second behind: the replica, if any
        cases = selectors_tracing.collectivite_cases(fiches_visible_to(request.user))
    audit_log(
        actor=request.user, action="fiches.listed", request=request,
        data={"fiches": [case.pk for case in cases]},
    )  # fmt: skip
    context = {
        **_region_context(request.user),
        "cases": cases,
        "tronque": len(cases) >= selectors_tracing.ARS_MAX_ROWS,
    }
    return render(request, "tracing/ars/collectivites.html", context)


@ars_required
def clusters(request):
    region = region_of(request.user)
    departements = departements_of_region(region) if region else ()
    form = ClusterForm(request.POST or None, departements=departements)
    if request.method == "POST":
        if not region:
            raise Http404
        if form.is_valid():

            def create():
                cluster = services.cluster_create(
                    user=request.user, region=region, data=form.cleaned_data, request=request
                )
                return reverse("tracing:ars_cluster", args=[cluster.pk])

            try:
                url = submissions.once(request, create)
            except submissions.Duplicate as duplicate:
                return submissions.already_landed(request, duplicate)
            messages.success(request, _("Cluster ouvert."))
            return redirect(url)
    context = {
        **_region_context(request.user),
        "clusters": clusters_of(request.user).only(
            "id", "nom", "collectivite", "departement", "statut", "created_at"
        ),
        "form": form,
    }
    return render(request, "tracing/ars/clusters.html", context, status=400 if form.errors else 200)


def _cluster_page(request, cluster, *, status=200, form=None, lier_form=None):
    context = {
        **_region_context(request.user),
        "cluster": cluster,
        "fiches": list(
            fiches_visible_to(request.user)
            .filter(clusters=cluster)
            .only("id", "nom", "prenom", "nature", "statut", "departement", "commune")[:500]
        ),
        "form": form or ClusterSuiviForm(instance=cluster),
        "lier_form": lier_form or LierFicheForm(),
        "chaine": chains.chain_of_cluster(cluster, fiches_visible_to(request.user)),
        "fiche_url": "tracing:ars_fiche",
    }
    return render(request, "tracing/ars/cluster.html", context, status=status)


@ars_required
def cluster_detail(request, pk):
    cluster = get_cluster_for_user(request.user, pk)
    if request.method == "POST":
        form = ClusterSuiviForm(request.POST, instance=Cluster(pk=cluster.pk))
        if form.is_valid():
            try:
                services.cluster_update(
                    cluster=cluster,
                    user=request.user,
                    statut=form.cleaned_data["statut"],
                    notes=form.cleaned_data["notes"],
                    version=form.cleaned_data["version"],
                    request=request,
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                cluster.refresh_from_db()
                return _cluster_page(request, cluster, status=409, form=form)
            messages.success(request, _("Cluster enregistré."))
            return redirect("tracing:ars_cluster", pk=cluster.pk)
        return _cluster_page(request, cluster, status=400, form=form)
    audit_log(actor=request.user, action="cluster.viewed", obj=cluster, request=request)
    return _cluster_page(request, cluster)


@require_POST
@ars_required
def cluster_lier(request, pk):
    """Link a collectivity case of the région to the cluster, by its number."""
    cluster = get_cluster_for_user(request.user, pk)
    form = LierFicheForm(request.POST)
    if form.is_valid():
        fiche = fiches_visible_to(request.user).filter(pk=form.cleaned_data["fiche"]).first()
        if fiche is None:
            form.add_error("fiche", _("Aucun cas en collectivité de votre région sous ce numéro."))
        else:
            try:
                services.cluster_link_fiche(
                    cluster=cluster, user=request.user, fiche=fiche, request=request
                )
            except DomainError as error:
                form.add_error("fiche", error.message)
            else:
                messages.success(request, _("Fiche liée au cluster."))
                return redirect("tracing:ars_cluster", pk=cluster.pk)
    return _cluster_page(request, cluster, status=400, lier_form=form)


# What the people who open the file in a spreadsheet read (issue 17 § 8): labels, not codes.
EXPORT_COLUMNS = ["Fiche", "Nature", "Collectivité", "Département", "Commune", "État",
                  "Créée le", "Clusters"]  # fmt: skip


@ars_required
def export_csv(request):
    """The région's collectivity cases, without identity: what an investigation counts.

    Streamed: rows are read from a server-side cursor (`iterator`, by `EXPORT_CHUNK`) and sent
    as they are written, so memory stays flat whatever the number of cases. The cursor lives in
    a read transaction opened by the stream itself: outside one, Django declares it WITH HOLD
    and PostgreSQL would compute and store the whole result before the first line. The export
    is audited when it starts; its end (with its line count) when the last line has been sent."""
    region = region_of(request.user)
    fiches = fiches_visible_to(request.user).order_by("collectivite", "departement", "id")
    clusters_by_fiche = {}  # only the fiches linked to a cluster: a small part of the cases
    with lectures_differees():
        for fiche_id, nom in Cluster.fiches.through.objects.filter(
            fiche__in=fiches.values("id"), cluster__region=region
        ).values_list("fiche_id", "cluster__nom"):
            clusters_by_fiche.setdefault(fiche_id, []).append(nom)
    audit_log(actor=request.user, action="ars.export_csv", data={"region": region},
              request=request)  # fmt: skip
    rows = fiches.values_list(
        "id", "nature", "collectivite", "departement", "commune", "statut", "created_at"
    )
    response = StreamingHttpResponse(
        _export_lines(rows, clusters_by_fiche, request=request, region=region),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"cas-collectivites-{region}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORT_CHUNK = 2000


class _Line:
    """csv.writer's file: each write hands the line back."""

    def write(self, text):
        return text


def _export_lines(rows, clusters_by_fiche, *, request, region):
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)  # Excel opens UTF-8 with its BOM
    count, lines = 0, []
    # From the replica when there is one (an export may be a second behind), in a read
    # transaction on the server it reads from.
    with lectures_differees() as alias, transaction.atomic(using=alias):
        for row in rows.iterator(chunk_size=EXPORT_CHUNK):
            pk, nature, collectivite, departement, commune, statut, created_at = row
            lines.append(writer.writerow(
                [pk, Nature(nature).label, Collectivite(collectivite).label, departement,
                 _cell(commune), Statut(statut).label,
                 timezone.localtime(created_at).strftime("%d/%m/%Y"),
                 _cell(" | ".join(clusters_by_fiche.get(pk, [])))]
            ))  # fmt: skip
            count += 1
            if len(lines) == 500:
                yield "".join(lines)
                lines = []
    if lines:
        yield "".join(lines)
    audit_log(actor=request.user, action="ars.export_csv_complete",
              data={"region": region, "lignes": count}, request=request)  # fmt: skip


def _cell(text):
    """Free text for a spreadsheet: a leading = + - @ would make Excel run it as a formula."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


@ars_required
def fiche_detail(request, pk):
    """A collectivity case of the région, read-only (the ARS reads everything on it)."""
    fiche = get_fiche_for_user(request.user, pk)
    audit_log(actor=request.user, action="fiche.viewed", obj=fiche, request=request)
    context = {
        "fiche": fiche,
        "clusters": fiche.clusters.filter(region=region_of(request.user)).only("id", "nom"),
        "historique": fiche.historique.select_related("by"),
    }
    return render(request, "tracing/ars/fiche.html", context)
