"""The benchmark suite's pages (`manage.py bench`): each page a person uses, timed through the
project's WSGI application with a signed-in session, side by side with its floor — the same
SQL statements replayed alone, plus a page that runs no query at all — and its number of
queries. Run on a bench database (`seed_fiches`); never on real data: some pages write
(« fiche suivante » reserves, an edit saves), as they do for their users.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import User
from accounts.roles import Role
from fiches.models import Fiche, Nature
from fiches.statuses import Statut
from tracing.bench_http import WsgiBrowser, form_fields, signed_in_cookies
from tracing.models import Affectation

FLOOR_PATH = "/compte/connexion/"  # anonymous: no session, no user, no query
_REPLAYED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")  # not the transaction control


@dataclass
class Cas:
    """One page: `send(browser)` makes the request; `prepare(browser)`, when given, runs
    untimed before each one (a write needs the fiche's current version)."""

    groupe: str
    label: str
    role: str
    send: Callable
    prepare: Callable | None = None
    statuts: tuple = (200,)


@dataclass
class Mesure:
    cas: Cas
    p50: float
    p95: float
    sql: float
    requetes: int
    plancher: float = 0.0

    @property
    def ratio(self) -> float:
        return self.p95 / (self.sql + self.plancher)


@dataclass
class Banc:
    """The users the pages are seen as and what their pages show, found in the database."""

    medecin: User
    conseiller: User
    biologiste: User
    pharmacien: User
    agent_ars: User
    admin: User
    departement: str
    browsers: dict = field(default_factory=dict)

    def browser(self, role: str) -> WsgiBrowser:
        if role not in self.browsers:
            user = getattr(self, role)
            self.browsers[role] = WsgiBrowser(cookies=signed_in_cookies(user) if user else {})
            if user:
                self.browsers[role].get("/")  # the session's first request stamps its times
        return self.browsers[role]


def bench_user(username: str, role: Role, **extra) -> User:
    """A seed user of the bench (no usable password: only the bench's sessions sign it in)."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@exemple.invalid", "first_name": "Banc",
                  "last_name": role.label, "bienvenue_vue": True, **extra},
    )  # fmt: skip
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


def banc(*, medecin="seed.medecin0", departement="93", region="11") -> Banc:
    conseiller = bench_user(f"bench.conseiller{departement}", Role.CONSEILLER)
    Affectation.objects.get_or_create(user=conseiller, defaults={"departements": departement})
    agent = bench_user(f"bench.ars{region}", Role.ARS)
    Affectation.objects.get_or_create(user=agent, defaults={"region": region})
    return Banc(
        medecin=User.objects.get(username=medecin),
        conseiller=conseiller,
        biologiste=bench_user("bench.biologiste", Role.BIOLOGISTE),
        pharmacien=bench_user("bench.pharmacien", Role.PHARMACIEN),
        agent_ars=agent,
        admin=bench_user("bench.admin", Role.ADMIN, is_staff=True, is_superuser=True),
        departement=departement,
    )


def search_token(browser: WsgiBrowser, path: str, criteres: dict) -> dict:
    """Post a search as the form does; the query of the page it redirects to (its token)."""
    response = browser.post(path, criteres)
    assert response.status == 302, (path, response.status)
    query = response.header("Location").split("?", 1)[1]
    return dict(part.split("=", 1) for part in query.split("&"))


def edit_form(browser: WsgiBrowser, path: str) -> dict:
    """The edit form as the page shows it (its version included), to send back unchanged."""
    response = browser.get(path)
    assert response.status == 200, (path, response.status)
    data = dict(form_fields(response.text, "version"))
    data["action"] = "valider"
    return data


def cas_du_banc(b: Banc, *, deep_page: int = 400) -> list[Cas]:
    from fiches import selectors

    medecin = b.browser("medecin")
    visible = Fiche.objects.filter(medecin=b.medecin)
    cursor = ""
    for _ in range(deep_page - 1):
        cursor = selectors.fiche_page(visible, size=25, apres=cursor).next_cursor
    sample = visible.exclude(nir="").order_by("-created_at", "-id").values("nir").first()
    pz = (
        visible.filter(nature=Nature.PATIENT_ZERO, contacts__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    contact = visible.filter(nature=Nature.CONTACT, brouillon=False).order_by("-id").first()
    searches = {
        "prénom « celi »": {"prenom": "celi"},
        "nom « lef »": {"nom": "lef"},
        "NIR exact": {"nir": sample["nir"]},
        "NIR, 7 premiers caractères": {"nir": sample["nir"][:7]},
        "prénom + statut": {"prenom": "célia", "statut": Statut.APPEL_REALISE.value},
    }
    tokens = {label: search_token(medecin, "/", data) for label, data in searches.items()}
    edit_path = f"/fiches/{contact.pk}/modifier/"

    def get(path, query=None):
        return lambda browser, prepared=None: browser.get(path, query)

    cases = [
        Cas("médecin", "liste, page 1 (25)", "medecin", get("/")),
        Cas("médecin", "liste, page 1 (100)", "medecin", get("/", {"par_page": 100})),
        Cas("médecin", f"liste, page {deep_page} (curseur)", "medecin",
            get("/", {"apres": cursor})),
        *[Cas("médecin", f"recherche {label}", "medecin", get("/", tokens[label]))
          for label in searches],
        Cas("médecin", "recherche statut « À contacter »", "medecin",
            get("/", {"statut": Statut.A_CONTACTER.value})),
        Cas("médecin", "fiche patient zéro et ses contacts", "medecin", get(f"/fiches/{pz}/")),
        Cas("médecin", "fiche contact", "medecin", get(f"/fiches/{contact.pk}/")),
        Cas("médecin", "modifier, le formulaire", "medecin", get(edit_path)),
        Cas("médecin", "modifier, VALIDER (écrit)", "medecin",
            lambda browser, prepared: browser.post(edit_path, prepared),
            prepare=lambda browser: edit_form(browser, edit_path), statuts=(302,)),
        Cas("médecin", "tableau de bord", "medecin", get("/tableau-de-bord/")),
        Cas("médecin", "formulaire de contact (PDF)", "medecin",
            get(f"/fiches/{pz}/formulaire-de-contact.pdf")),
    ]  # fmt: skip
    cases += _plateforme(b) + _recherches_personne(b, sample["nir"]) + _ars_admin(b)
    return cases


def _plateforme(b: Banc) -> list[Cas]:
    conseiller = b.browser("conseiller")
    scope = Fiche.objects.filter(departement=b.departement)
    sample = scope.exclude(nir="").exclude(telephone="").values("pk", "nir", "telephone").first()
    path = "/plateforme/"
    tokens = {
        "NIR exact": search_token(conseiller, path, {"nir": sample["nir"]}),
        "nom + prénom": search_token(conseiller, path, {"nom": "martin", "prenom": "lé"}),
        "téléphone": search_token(conseiller, path, {"telephone": sample["telephone"]}),
    }

    def get(query=None):
        return lambda browser, prepared=None: browser.get(path, query)

    return [
        Cas("plateforme", "file d'appels, page 1", "conseiller", get()),
        Cas("plateforme", "file d'appels, page 10", "conseiller", get({"page": 10})),
        Cas("plateforme", "file, « À contacter »", "conseiller",
            get({"statut": Statut.A_CONTACTER.value})),
        Cas("plateforme", "fiche suivante (réserve)", "conseiller",
            lambda browser, prepared=None: browser.post("/plateforme/suivante/"),
            statuts=(302,)),
        *[Cas("plateforme", f"recherche {label}", "conseiller", get(query))
          for label, query in tokens.items()],
        Cas("plateforme", "fiche", "conseiller",
            lambda browser, prepared=None: browser.get(f"/plateforme/fiches/{sample['pk']}/")),
    ]  # fmt: skip


def _recherches_personne(b: Banc, nir: str) -> list[Cas]:
    born = Fiche.objects.filter(date_naissance__isnull=False).exclude(prenom="")
    person = (
        born.filter(nom_normalise__startswith="m").values("nom", "prenom", "date_naissance").first()
        or born.values("nom", "prenom", "date_naissance").first()
    )
    by_name = {"nom": person["nom"], "prenom": person["prenom"],
               "date_naissance": person["date_naissance"].strftime("%d/%m/%Y")}  # fmt: skip

    def post(path, data):
        return lambda browser, prepared=None: browser.post(path, data)

    return [
        Cas("laboratoire", "recherche par NIR", "biologiste", post("/laboratoire/", {"nir": nir})),
        Cas("laboratoire", "recherche nom, prénom, naissance", "biologiste",
            post("/laboratoire/", by_name)),
        Cas("pharmacie", "recherche par NIR", "pharmacien", post("/pharmacie/", {"nir": nir})),
    ]  # fmt: skip


def _ars_admin(b: Banc) -> list[Cas]:
    def get(path, query=None):
        return lambda browser, prepared=None: browser.get(path, query)

    return [
        Cas("ARS", "collectivités", "agent_ars", get("/ars/")),
        Cas("ARS", "clusters", "agent_ars", get("/ars/clusters/")),
        Cas("ARS", "tableau de bord (région)", "agent_ars", get("/tableau-de-bord/")),
        Cas("admin", "fiches, page 1", "admin", get("/admin/fiches/fiche/")),
        Cas("admin", "journal d'audit, page 1", "admin", get("/admin/fiches/auditlog/")),
    ]


def rss_mb(pid="self") -> float:
    """A process's resident memory (Linux), this one by default; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def replay_ms(statements: list[str]) -> float:
    """The statements of one request replayed alone on the same connection, in a transaction
    rolled back (a page's writes are replayed without keeping them): the SQL floor."""
    total = 0.0
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql in statements:
                sid = transaction.savepoint()
                start = time.perf_counter()
                try:
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()
                except Exception:  # a replayed insert may meet its own first run's row
                    transaction.savepoint_rollback(sid)
                else:
                    transaction.savepoint_commit(sid)
                total += time.perf_counter() - start
        transaction.set_rollback(True)
    return total * 1000


@override_settings(LOOKUP_THROTTLE_PER_MINUTE=10**9, LOOKUP_THROTTLE_PER_DAY=10**9)
def mesurer(b: Banc, cas: Cas, *, runs: int, warmup: int = 2) -> Mesure:
    browser = b.browser(cas.role)
    timings = []
    for n in range(warmup + runs):
        prepared = cas.prepare(browser) if cas.prepare else None
        start = time.perf_counter()
        response = cas.send(browser, prepared)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status in cas.statuts, (cas.label, response.status)
        if n >= warmup:
            timings.append(elapsed)
    prepared = cas.prepare(browser) if cas.prepare else None
    with CaptureQueriesContext(connection) as captured:
        cas.send(browser, prepared)
    statements = [q["sql"] for q in captured.captured_queries
                  if q["sql"].lstrip().upper().startswith(_REPLAYED)]  # fmt: skip
    sql = statistics.median(replay_ms(statements) for _ in range(max(3, runs // 3)))
    return Mesure(
        cas=cas,
        p50=statistics.median(timings),
        p95=percentile(timings, 0.95),
        sql=sql,
        requetes=len(captured.captured_queries),
    )


def plancher(*, runs: int) -> Mesure:
    """A page that runs no query, through the same stack: what any page costs at least."""
    browser = WsgiBrowser()
    cas = Cas("plancher", "page sans requête (connexion, anonyme)", "", lambda b, p=None: None)
    timings = []
    for n in range(2 + runs):
        start = time.perf_counter()
        response = browser.get(FLOOR_PATH)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status == 200, response.status
        if n >= 2:
            timings.append(elapsed)
        browser.cookies.clear()  # stays anonymous, no session
    with CaptureQueriesContext(connection) as captured:
        browser.get(FLOOR_PATH)
    assert not captured.captured_queries, [q["sql"] for q in captured.captured_queries]
    return Mesure(cas, statistics.median(timings), percentile(timings, 0.95), 0.0, 0)


def tableau(mesures: list[Mesure], floor: Mesure) -> list[str]:
    lines = [
        f"Plancher : {floor.cas.label}, p50 {floor.p50:.1f} ms, p95 {floor.p95:.1f} ms.",
        "",
        "| rôle | page | p50 | p95 | SQL seul | p95 / (SQL + plancher) | requêtes |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for m in mesures:
        m.plancher = floor.p50
        lines.append(
            f"| {m.cas.groupe} | {m.cas.label} | {m.p50:.1f} ms | {m.p95:.1f} ms | "
            f"{m.sql:.1f} ms | {m.ratio:.1f}× | {m.requetes} |"
        )
    return lines
