from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# django-tasks-db's results, as the admin shows them: in French (issue 17 § 8).
TASK_RESULT_LABELS = {
    "status": _("état"), "enqueued_at": _("mise en file le"), "started_at": _("commencée le"),
    "finished_at": _("terminée le"), "args_kwargs": _("arguments"), "priority": _("priorité"),
    "task_path": _("tâche"), "worker_ids": _("workers"), "queue_name": _("file"),
    "backend_name": _("moteur"), "run_after": _("à lancer après"),
    "return_value": _("valeur renvoyée"), "exception_class_path": _("erreur"),
    "traceback": _("trace de l'erreur"),
}  # fmt: skip


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Tâches de fond"

    def ready(self):
        from django.apps import apps
        from django_tasks_db.models import DBTaskResult

        apps.get_app_config("django_tasks_database").verbose_name = _("File des tâches de fond")
        meta = DBTaskResult._meta
        meta.verbose_name, meta.verbose_name_plural = _("tâche"), _("tâches (file)")
        for name, label in TASK_RESULT_LABELS.items():
            meta.get_field(name).verbose_name = label
