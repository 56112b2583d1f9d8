"""Writes of the ARS screens: clusters. Same rules as `fiches.services` (keyword-only, one
transaction, row lock, update_fields, an audit entry in the same transaction)."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fiches.audit import audit_log
from fiches.models import DomainError, Fiche
from fiches.services import StaleVersion
from tracing.models import Cluster


@transaction.atomic
def cluster_create(*, user, region: str, data: dict, request=None) -> Cluster:
    """Open a cluster (a named collectivity under investigation) in the agent's région."""
    cluster = Cluster.objects.create(region=region, created_by=user, **data)
    audit_log(actor=user, action="cluster.created", obj=cluster, data={"nom": cluster.nom},
              request=request)  # fmt: skip
    return cluster


@transaction.atomic
def cluster_update(
    *, cluster: Cluster, user, statut: str, notes: str, version: int | None = None, request=None
) -> Cluster:
    """Status and notes of a cluster, unless another agent saved it since the form was shown."""
    locked = Cluster.objects.select_for_update().get(pk=cluster.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(
            _(
                "Ce cluster a été modifié par une autre personne pendant votre saisie. Rien n'a "
                "été enregistré : la page est maintenant à jour ; vérifiez-la, puis enregistrez "
                "de nouveau votre saisie (conservée ci-dessous)."
            )
        )
    if statut not in Cluster.Statut.values:
        raise DomainError(_("Statut de cluster inconnu."), field="statut")
    locked.statut = statut
    locked.notes = notes
    locked.version = F("version") + 1
    locked.save(update_fields=["statut", "notes", "version"])
    locked.refresh_from_db(fields=["version"])
    audit_log(actor=user, action="cluster.updated", obj=locked, data={"statut": statut},
              request=request)  # fmt: skip
    return locked


@transaction.atomic
def cluster_link_fiche(*, cluster: Cluster, user, fiche: Fiche, request=None) -> None:
    """Link a fiche of the agent's région to a cluster (the caller checked it may see it)."""
    locked = Cluster.objects.select_for_update().get(pk=cluster.pk)
    if locked.fiches.filter(pk=fiche.pk).exists():
        raise DomainError(_("Cette fiche est déjà liée au cluster."), field="fiche")
    locked.fiches.add(fiche)
    audit_log(actor=user, action="fiche.linked_to_cluster", obj=fiche,
              data={"cluster": locked.pk}, request=request)  # fmt: skip


@transaction.atomic
def cluster_link_imported(*, cluster: Cluster, user, fiche_ids: list[int], import_id: int) -> None:
    """The contacts of a list imported from a cluster's page join the cluster (in the import's
    transaction): one row each in the link table, one audit entry naming them all."""
    locked = Cluster.objects.select_for_update().get(pk=cluster.pk)
    through = Cluster.fiches.through
    through.objects.bulk_create(
        [through(cluster_id=locked.pk, fiche_id=pk) for pk in fiche_ids],
        batch_size=1000,
        ignore_conflicts=True,
    )
    audit_log(actor=user, action="cluster.contacts_imported", obj=locked,
              data={"import": import_id, "fiches": fiche_ids})  # fmt: skip
