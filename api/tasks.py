"""Jobs of the laboratories' API (run by `manage.py worker`)."""

from django_tasks import task


@task()
def traiter_lot(lot_id: str) -> str:
    from api.services import lot_traiter

    return lot_traiter(lot_id=lot_id)


@task()
def relancer_lots() -> int:
    from api.services import lots_relancer

    return lots_relancer()
