"""`python manage.py worker`: django-tasks-db's worker, with our periodic tasks' tick ensured.

Run as many as needed, on any machine that reaches the database: each job is taken by one worker
(`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL). Ctrl-C or SIGTERM finishes the running job,
then stops.
"""

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from contactcovid.checks import require_production_settings
from jobs import periodic


class Command(DbWorkerCommand):
    help = "Exécute les tâches de fond (e-mails, tâches périodiques) ; autant de workers que voulu."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            require_production_settings()  # never send a reset link or a form to a log
        periodic.ensure_tick()
        return super().handle(*args, **options)
