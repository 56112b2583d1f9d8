"""Jobs of the tracing screens (run by `manage.py worker`; see jobs.periodic)."""

from django_tasks import task

from tracing import submissions


@task()
def prune_submissions() -> int:
    return submissions.prune()


@task()
def import_contacts(import_id: int) -> int:
    """Create the contacts of a confirmed import, in one transaction; the import says how it
    ended (its page follows it). Run twice, it creates them once (the import's row is locked and
    its state checked inside the transaction); failing in any way, it says so and keeps nothing."""
    from django.db import transaction

    from fiches import services
    from fiches.models import DomainError
    from tracing.models import ImportContacts
    from tracing.services import cluster_link_imported

    try:
        with transaction.atomic():
            found = (
                ImportContacts.objects.select_for_update(of=("self",))
                .select_related("user", "origine", "cluster")
                .get(pk=import_id)
            )
            if found.etat != ImportContacts.Etat.EN_COURS:
                return found.crees  # already done
            ids = services.contacts_import(
                user=found.user, origine=found.origine, rows=found.lignes,
                source=found.nom_fichier,
            )  # fmt: skip
            if found.cluster_id:
                cluster_link_imported(
                    cluster=found.cluster, user=found.user, fiche_ids=ids, import_id=found.pk
                )
            crees = len(ids)
            ImportContacts.objects.filter(pk=found.pk).update(
                etat=ImportContacts.Etat.TERMINE, crees=crees
            )
    except DomainError as error:
        _failed(import_id, error.message)
        return 0
    except Exception:
        _failed(import_id, "erreur technique ; réessayez ou contactez l'assistance")
        raise
    return crees


def _failed(import_id, message):
    from tracing.models import ImportContacts

    ImportContacts.objects.filter(pk=import_id, etat=ImportContacts.Etat.EN_COURS).update(
        etat=ImportContacts.Etat.ECHEC, message=str(message)[:300]
    )
