"""Synthetic fiches for measurements at national scale (issue 14): `seed_fiches` on PostgreSQL.

Ten million fiches in minutes on two cores, where `bulk_create` took 22 minutes for four:
- rows are written as COPY text (`COPY … FROM STDIN` through psycopg) by one Python process
  while PostgreSQL ingests them on the other core; timestamps and names come from small caches;
- the three tables' secondary indexes are dropped first and built after the load, two at a
  time (an index built once over sorted data, instead of maintained row by row), then ANALYZE;
- foreign keys are not checked row by row during the load (`session_replication_role =
  replica`, which needs a superuser: a bench database's owner): the rows are consistent by
  construction (ids allocated here, every reference to a row written before it).

What a real history would leave: each fiche's creation in the status history (and its
current status when it moved since, through an allowed transition), one audit entry
`fiche.created` per fiche; valid NIRs (their key) and valid French mobile numbers (the
prefixes phonenumbers' metadata accepts); a contact without a phone is « Contact à trouver ».
Never for production data.
"""

import random
import threading
import time
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import phonenumbers
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections

from fiches.audit import AuditLog
from fiches.identity import departement_from_code_postal, normalize_name
from fiches.models import Fiche, Situation, StatusChange
from fiches.statuses import Statut

SITUATIONS = Situation.values
STATUTS = list(Statut.values)  # a status as one byte in the per-fiche arrays

START = datetime(2020, 5, 11, 6, tzinfo=UTC)
SPAN_MINUTES = 200 * 24 * 60
CONTACTS_PER_PZ = (1, 2, 3, 3, 4, 5)  # 3 on average: 2.5 M patients zéro → 10 M fiches
CONTACT_STATUTS = [s.value for s in (
    Statut.CONTACT_A_TROUVER, Statut.A_CONTACTER, Statut.PATIENT_A_RAPPELER,
    Statut.CONTACT_NON_AVERE, Statut.APPEL_REALISE, Statut.CLOTURE)]  # fmt: skip
PZ_STATUTS = [s.value for s in [Statut.DIAGNOSTIC_CONFIRME] * 5 + [
    Statut.EN_ATTENTE, Statut.APPEL_REALISE, Statut.CLOTURE]]  # fmt: skip
FLUSH = 1 << 20  # bytes per write to the COPY stream


@dataclass
class SeedReport:
    fiches: int = 0
    historique: int = 0
    audit: int = 0
    timings: dict = field(default_factory=dict)

    def __str__(self):
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.timings.items())
        return (
            f"{self.fiches} fiches, {self.historique} changements d'état, {self.audit} entrées "
            f"d'audit ({steps})."
        )


def valid_mobile_prefixes(rng) -> list[str]:
    """The three-digit French mobile prefixes (6xx, 7xx) phonenumbers accepts whatever follows."""
    prefixes = []
    for prefix in range(600, 800):
        numbers = (f"+33{prefix}{rng.randrange(1_000_000):06d}" for _ in range(20))
        if all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in numbers):
            prefixes.append(str(prefix))
    return prefixes


def superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def copy_seed(*, n, doctors, codes_postaux, prenoms, noms, seed, progress=None) -> SeedReport:
    report = SeedReport()
    tables = [m._meta.db_table for m in (Fiche, StatusChange, AuditLog)]
    started = time.perf_counter()
    indexes = _secondary_indexes(tables)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                for _, name, _ in indexes:
                    cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
                generator = _Rows(n=n, doctors=doctors, codes_postaux=codes_postaux,
                                  prenoms=prenoms, noms=noms, seed=seed, cursor=cursor)  # fmt: skip
                _copy_all(cursor, generator, report, progress)
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
        report.timings["chargement"] = time.perf_counter() - started
    finally:
        started = time.perf_counter()
        _build_indexes(indexes)
        report.timings["index"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Fiche, StatusChange, AuditLog):
            table = model._meta.db_table
            cursor.execute(  # our models' table names, not input
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
            cursor.execute(f"ANALYZE {table}")
    report.timings["analyse"] = time.perf_counter() - started
    return report


def _secondary_indexes(tables):
    """(table, name, definition) of every index that is not a constraint's (primary key,
    unique): the ones a load would maintain row by row."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ORDER BY i.tablename, i.indexname
            """,
            [tables],
        )
        return cursor.fetchall()


def _build_indexes(indexes):
    """Two at a time, each in its own connection (the machine's two cores); in one, in order,
    when the load is inside a transaction (a test's: other connections would wait for it)."""
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            for _, _, definition in indexes:
                cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        return
    pending = list(indexes)
    lock = threading.Lock()
    errors = []

    def work():
        alias = "default"
        conn = connections.create_connection(alias)
        try:
            with conn.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '512MB'")
                cursor.execute("SET max_parallel_maintenance_workers = 0")
                while True:
                    with lock:
                        if not pending:
                            return
                        _, _, definition = pending.pop(0)
                    cursor.execute(
                        definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)
                    )
        except Exception as error:  # reported below, after the other thread's work
            errors.append(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _copy_all(cursor, rows, report, progress):
    fiche_columns = [f.column for f in Fiche._meta.concrete_fields]
    raw = cursor.cursor  # psycopg's own cursor, for COPY
    with raw.copy(f"COPY fiches_fiche ({', '.join(fiche_columns)}) FROM STDIN") as copy:
        report.fiches = _stream(copy, rows.fiches(fiche_columns), progress)
    with raw.copy(
        "COPY fiches_statuschange (id, fiche_id, from_statut, to_statut, by_id, at, motif) "
        "FROM STDIN"
    ) as copy:
        report.historique = _stream(copy, rows.history(), None)
    with raw.copy(
        "COPY fiches_auditlog (id, created_at, actor_id, actor_role, action, content_type_id, "
        "object_id, data, ip) FROM STDIN"
    ) as copy:
        report.audit = _stream(copy, rows.audit(), None)


def _stream(copy, lines, progress):
    buffer, size, count = [], 0, 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        count += 1
        if size >= FLUSH:
            copy.write("".join(buffer))
            buffer, size = [], 0
            if progress:
                progress(count)
    if buffer:
        copy.write("".join(buffer))
    if progress:
        progress(count)
    return count


class _Rows:
    """The three tables' COPY lines, generated in one pass over the patients zéro; what the
    history and the audit need of each fiche is kept in compact arrays meanwhile. Written for
    speed (a few microseconds a fiche): `random()` scaled rather than `randrange`, cached
    timestamps, one compiled f-string per line."""

    def __init__(self, *, n, doctors, codes_postaux, prenoms, noms, seed, cursor):
        self.rng = random.Random(seed)
        self.n = n
        self.doctors = [d.pk for d in doctors]
        # The first doctor has ~10 % of the fiches (a very busy doctor, for deep pages).
        self.doctor_draw = self.doctors + [self.doctors[0]] * max(len(doctors) // 9 - 1, 0)
        self.places = [(cp, departement_from_code_postal(cp)) for cp in codes_postaux]
        self.prenoms = [(p, normalize_name(p)) for p in prenoms]
        self.noms = [(n_, normalize_name(n_)) for n_ in noms]
        self.mobiles = valid_mobile_prefixes(self.rng)
        self.minutes = {}
        self.fiche_ct = ContentType.objects.get_for_model(Fiche).pk
        self.next_ids = {}
        for table in ("fiches_fiche", "fiches_statuschange", "fiches_auditlog"):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            self.next_ids[table] = cursor.fetchone()[0]
        # Per fiche (its id is first_id + its rank), what the history and the audit need, in
        # compact arrays (a tuple a fiche would take a gigabyte at ten million).
        self.first_id = self.next_ids["fiches_fiche"]
        self.made_doctor, self.made_minute = array("q"), array("l")
        self.made_second, self.made_statut, self.made_initial = array("B"), array("B"), array("B")
        self.made_depuis = array("l")

    def _ts(self, minute: int, second: int = 0) -> str:
        text = self.minutes.get(minute)
        if text is None:
            moment = START + timedelta(minutes=minute)
            text = self.minutes[minute] = moment.strftime("%Y-%m-%d %H:%M:")
        return text + _SECONDS[second]

    def fiches(self, columns):
        defaults = {f.column: f.get_default() for f in Fiche._meta.concrete_fields}
        variable = [c for c in columns if c in _VARIABLE]
        cells = ["{" + c + "}" if c in _VARIABLE else _text(defaults[c]) for c in columns]
        body = "\t".join(cells) + "\n"
        source = "def line(" + ", ".join(variable) + "):\n    return f" + repr(body) + "\n"
        namespace = {}
        exec(source, namespace)  # noqa: S102 (our own column names, compiled once)
        line = namespace["line"]

        r = self.rng.random
        ts, nir, naissance = self._ts, _nir, _naissance
        doctors, prenoms, noms, places = self.doctor_draw, self.prenoms, self.noms, self.places
        mobiles, n_mobiles = self.mobiles, len(self.mobiles)
        made = (
            self.made_doctor.append,
            self.made_minute.append,
            self.made_second.append,
            self.made_statut.append,
            self.made_initial.append,
            self.made_depuis.append,
        )
        codes = {statut: STATUTS.index(statut) for statut in STATUTS}
        fiche_id = self.first_id
        for _ in range(self.n):
            doctor = doctors[int(r() * len(doctors))]
            minute = int(r() * SPAN_MINUTES)
            pz_id = fiche_id
            count = CONTACTS_PER_PZ[int(r() * len(CONTACTS_PER_PZ))]
            for rank in range(count + 1):
                contact = rank > 0
                (prenom, prenom_n), (nom, nom_n) = (prenoms[int(r() * len(prenoms))],
                                                    noms[int(r() * len(noms))])  # fmt: skip
                code_postal, departement = places[int(r() * len(places))]
                at = minute + 5 + int(r() * 595) if contact else minute
                if contact:
                    statut = CONTACT_STATUTS[int(r() * len(CONTACT_STATUTS))]
                    initial = _A_TROUVER if statut == _A_TROUVER else _A_CONTACTER
                else:
                    statut = PZ_STATUTS[int(r() * len(PZ_STATUTS))]
                    initial = _EN_ATTENTE if statut == _EN_ATTENTE else _CONFIRME
                second = int(r() * 60)
                depuis = at if statut == initial else at + 1 + int(r() * 72 * 60)
                # Every patient zéro knows their NIR and birth date; 40 % of contacts their
                # NIR (and birth date), 30 % more their birth date alone.
                year, month, born = naissance(r)
                known = r()
                yield line(
                    id=fiche_id, nature="contact" if contact else "patient_zero",
                    origine_id=pz_id if contact else "\\N",
                    nir=nir(r, departement, year, month) if not contact or known < 0.4 else "",
                    date_naissance=born if not contact or known < 0.7 else "\\N",
                    nom=nom, prenom=prenom, nom_normalise=nom_n, prenom_normalise=prenom_n,
                    telephone="" if statut == _A_TROUVER else
                    f"+33{mobiles[int(r() * n_mobiles)]}{int(r() * 1_000_000):06d}",
                    code_postal=code_postal, departement=departement,
                    situation=SITUATIONS[int(r() * len(SITUATIONS))],
                    argument_diagnostic="" if contact else "rt_pcr",
                    information_patient="f" if contact else "t",
                    meme_foyer="t" if contact and r() < 0.5 else "f",
                    declarant_id=doctor, medecin_id=doctor, created_at=ts(at, second),
                    statut=statut, statut_depuis=ts(depuis, second),
                    rappel_le=ts(depuis + 1440 + int(r() * 4320))
                    if statut == _A_RAPPELER else "\\N",
                )  # fmt: skip
                made[0](doctor)
                made[1](at)
                made[2](second)
                made[3](codes[statut])
                made[4](codes[initial])
                made[5](depuis)
                fiche_id += 1

    def _made(self):
        first, statuts = self.first_id, STATUTS
        minutes, seconds, depuis = self.made_minute, self.made_second, self.made_depuis
        statut, initial = self.made_statut, self.made_initial
        for rank, doctor in enumerate(self.made_doctor):
            yield (first + rank, doctor, minutes[rank], seconds[rank], statuts[statut[rank]],
                   depuis[rank], statuts[initial[rank]])  # fmt: skip

    def history(self):
        change_id = self.next_ids["fiches_statuschange"]
        ts = self._ts
        for fiche_id, doctor, minute, second, statut, depuis, initial in self._made():
            yield (f"{change_id}\t{fiche_id}\t\t{initial}\t{doctor}\t{ts(minute, second)}"
                   "\tCréation de la fiche\n")  # fmt: skip
            change_id += 1
            if statut != initial:
                yield (f"{change_id}\t{fiche_id}\t{initial}\t{statut}\t{doctor}\t"
                       f"{ts(depuis, second)}\t\n")  # fmt: skip
                change_id += 1

    def audit(self):
        audit_id = self.next_ids["fiches_auditlog"]
        ct, ts = self.fiche_ct, self._ts
        for fiche_id, doctor, minute, second, _, _, initial in self._made():
            yield (f"{audit_id}\t{ts(minute, second)}\t{doctor}\tMédecin\tfiche.created\t"
                   f'{ct}\t{fiche_id}\t{{"statut": "{initial}"}}\t\\N\n')  # fmt: skip
            audit_id += 1


_SECONDS = [f"{second:02d}+00" for second in range(60)]
_A_TROUVER, _A_CONTACTER = Statut.CONTACT_A_TROUVER.value, Statut.A_CONTACTER.value
_EN_ATTENTE, _CONFIRME = Statut.EN_ATTENTE.value, Statut.DIAGNOSTIC_CONFIRME.value
_A_RAPPELER = Statut.PATIENT_A_RAPPELER.value


def _naissance(r) -> tuple[int, int, str]:
    """A birth date (1930–1999): its year's last two digits, its month, and the date."""
    year, month = 30 + int(r() * 70), 1 + int(r() * 12)
    return year, month, f"19{year:02d}-{month:02d}-{1 + int(r() * 28):02d}"


def _nir(r, departement: str, year: int, month: int) -> str:
    """A valid NIR born in the département on that year and month: its key is 97 − (the 13
    digits mod 97), Corsica's 2A/2B counting as 19/18 (what `fiches.identity.nir_key`
    computes, without its checks)."""
    dep = departement if departement in ("2A", "2B") else departement[:2]
    body = (f"{1 + int(r() * 2)}{year:02d}{month:02d}{dep}"
            f"{1 + int(r() * 999):03d}{1 + int(r() * 999):03d}")  # fmt: skip
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - number % 97:02d}"


_VARIABLE = {
    "id", "nature", "origine_id", "nir", "date_naissance", "nom", "prenom", "nom_normalise",
    "prenom_normalise", "telephone", "code_postal", "departement", "situation",
    "argument_diagnostic", "information_patient", "meme_foyer", "declarant_id", "medecin_id",
    "created_at", "statut", "statut_depuis", "rappel_le",
}  # fmt: skip


def _text(value) -> str:
    """A constant column in COPY's text format (None → \\N, booleans → t/f); the braces of
    the row's template are escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("{", "{{").replace("}", "}}")
