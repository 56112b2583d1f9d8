"""`python manage.py grant_app_role <role>`: give the application's PostgreSQL role what it needs
and nothing more (issue 12). Run as the owner of the tables (the role migrations run as).

The application then connects as `<role>`, which owns nothing: it cannot ALTER a table (so not
disable the audit log's trigger), TRUNCATE, or DROP; and on the audit log and the security events
it may only INSERT and SELECT — neither UPDATE nor DELETE (but for the security events' `ip`
column, which the retention purge empties after a year). Every other table gets SELECT, INSERT,
UPDATE, DELETE (sessions, jobs, and the domain's own rules in the services: a fiche is never
deleted by code, its model refuses). Idempotent; run it again after each migration that adds a
table (`make migrate` in README « Serving for real »).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import SecurityEvent
from fiches.audit import AuditLog

APPEND_ONLY = (AuditLog._meta.db_table, SecurityEvent._meta.db_table)


class Command(BaseCommand):
    help = "Donne au rôle PostgreSQL de l'application les seuls droits dont il a besoin."

    def add_arguments(self, parser):
        parser.add_argument("role")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Réservé à PostgreSQL (la base de production).")
        quote = connection.ops.quote_name
        tables = [t for t in connection.introspection.table_names() if t not in APPEND_ONLY]
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = quote(cursor.fetchone()[0])
            statements = [
                f"GRANT USAGE ON SCHEMA {schema} TO {quote(role)}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quote(role)}",
                *[
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quote(t)} TO {quote(role)}"
                    for t in tables
                ],
                *[f"GRANT SELECT, INSERT ON {quote(t)} TO {quote(role)}" for t in APPEND_ONLY],
                # The retention purge forgets the security events' addresses after a year: that
                # column only (fiches.retention).
                f"GRANT UPDATE (ip) ON {quote(SecurityEvent._meta.db_table)} TO {quote(role)}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quote(role)}",
            ]
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            self.style.SUCCESS(
                f"{role} : lecture/écriture sur {len(tables)} tables, ajout et lecture seuls sur "
                f"{', '.join(APPEND_ONLY)} ; propriétaire de rien."
            )
        )
