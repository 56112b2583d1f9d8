"""Reads of the tracing app that are more than one line."""

from django.db.models import Count

from fiches.models import Collectivite
from fiches.models_indicateurs import Niveau
from tracing.models import Cluster


def clusters_ouverts(perimetre) -> list[tuple[str, int]]:
    """The clusters not closed in a dashboard's perimeter, by kind of collectivité: one
    grouped count over the clusters (thousands of rows, not millions: no rollup needed)."""
    clusters = Cluster.objects.exclude(statut=Cluster.Statut.CLOS)
    if perimetre.niveau == Niveau.REGION:
        clusters = clusters.filter(region__in=perimetre.zones)
    elif perimetre.niveau == Niveau.DEPARTEMENT:
        clusters = clusters.filter(departement__in=perimetre.zones)
    counts = dict(
        clusters.values_list("collectivite")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("collectivite", "n")
    )
    return [(label, counts[code]) for code, label in Collectivite.choices if counts.get(code)]
