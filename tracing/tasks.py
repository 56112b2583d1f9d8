"""Jobs of the tracing screens (run by `manage.py worker`; see jobs.periodic)."""

from django_tasks import task

from tracing import submissions


@task()
def prune_submissions() -> int:
    return submissions.prune()


@task()
def import_contacts(import_id: int) -> int:
    """Create the contacts of a confirmed import, in one transaction; the import says how it
    ended (its page follows it)."""
    from django.db import transaction

    from fiches import services
    from fiches.models import DomainError
    from tracing.models import ImportContacts

    found = ImportContacts.objects.select_related("user", "origine").get(pk=import_id)
    if found.etat != ImportContacts.Etat.EN_COURS:
        return found.crees  # already done (a job run twice)
    try:
        with transaction.atomic():
            crees = services.contacts_import(
                user=found.user, origine=found.origine, rows=found.lignes,
                source=found.nom_fichier,
            )  # fmt: skip
            ImportContacts.objects.filter(pk=found.pk).update(
                etat=ImportContacts.Etat.TERMINE, crees=crees
            )
    except DomainError as error:
        ImportContacts.objects.filter(pk=found.pk).update(
            etat=ImportContacts.Etat.ECHEC, message=error.message[:300]
        )
        return 0
    return crees
