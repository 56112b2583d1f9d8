"""The benchmark suite's mixed load (`manage.py bench --charge`): gunicorn started as `make serve`
starts it, on 127.0.0.1, and doctors' sessions sending what a doctor's day is made of, over
HTTP connections (one a request, as a proxy opens them), at increasing concurrency: 60 % list
and searches, 25 % a fiche,
10 % an edit (its form, then VALIDER), 5 % the contact form in PDF. Each level runs for a fixed
time; it reports requests a second, p50/p95, errors, and the workers' resident memory.

Bounded (levels × seconds), on 127.0.0.1 only; the generator is plain `http.client` threads in
this process. A bench database only: the edits write.
"""

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings

from accounts.models import User
from fiches.models import Fiche, Nature
from fiches.selectors import fiche_page
from fiches.statuses import Statut
from tracing.bench import edit_form, percentile, rss_mb, search_token
from tracing.bench_http import HOST, WsgiBrowser, signed_in_cookies

VERSION = re.compile(rb'name="version" value="(\d+)"')
MIX = (("liste", 45), ("recherche", 15), ("fiche", 25), ("modifier", 10), ("pdf", 5))
# « liste »: 25 a page (half), the next page, one statut, 100 a page (a sixth each).


@dataclass
class Medecin:
    """One virtual doctor: a session, and the pages of their own day."""

    cookie: str
    listes: list[str]
    recherches: list[str]
    fiches: list[str]
    modifiables: list[tuple[str, dict]]
    pdfs: list[str]


@dataclass
class Palier:
    concurrence: int
    duree: float
    latences: dict = field(default_factory=dict)  # kind → [ms]
    erreurs: int = 0
    pannes: list = field(default_factory=list)  # the generator's own failures
    cpu: dict = field(default_factory=dict)  # part → CPU seconds over the level

    @property
    def toutes(self) -> list[float]:
        return [ms for values in self.latences.values() for ms in values]

    @property
    def debit(self) -> float:
        return len(self.toutes) / self.duree

    def cpu_par_requete(self) -> str:
        count = len(self.toutes) or 1
        return " / ".join(f"{self.cpu.get(part, 0) / count * 1000:.1f} ms"
                          for part in ("workers", "postgres", "generateur"))  # fmt: skip

    def p(self, fraction: float) -> float:
        return percentile(self.toutes, fraction) if self.toutes else 0


def medecins(usernames: list[str]) -> list[Medecin]:
    """Sessions and pages for each doctor, prepared in process (searches posted once, their
    tokens kept, as a doctor paging through results)."""
    result = []
    for username in usernames:
        user = User.objects.get(username=username)
        cookies = signed_in_cookies(user)
        browser = WsgiBrowser(cookies=cookies)
        browser.get("/")
        own = Fiche.objects.filter(medecin=user, brouillon=False).order_by("-created_at", "-id")
        pz = list(own.filter(nature=Nature.PATIENT_ZERO).values_list("pk", flat=True)[:5])
        contacts = list(own.filter(nature=Nature.CONTACT).values_list("pk", flat=True)[:5])
        nir = own.exclude(nir="").values_list("nir", flat=True).first()
        next_page = fiche_page(own, size=25).next_cursor
        if not (pz and contacts and nir and next_page):
            continue  # a doctor without a day's worth of fiches takes no part
        searches = [{"nom": "lef"}, {"prenom": "celi"}, {"nir": nir}, {"nir": nir[:7]},
                    {"prenom": "célia", "statut": Statut.APPEL_REALISE.value}]  # fmt: skip
        modifiables = []
        for pk in contacts:
            path = f"/fiches/{pk}/modifier/"
            modifiables.append((path, edit_form(browser, path)))
        result.append(
            Medecin(
                cookie="; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
                # The list as a doctor opens it (25 a page) most often, then its next page,
                # one statut, now and then 100 a page.
                listes=[
                    "/",
                    "/",
                    "/",
                    "/?" + urlencode({"apres": next_page}),
                    f"/?statut={Statut.A_CONTACTER.value}",
                    "/?par_page=100",
                ],  # fmt: skip
                recherches=["/?" + urlencode(search_token(browser, "/", s)) for s in searches],
                fiches=[f"/fiches/{pk}/" for pk in pz + contacts],
                modifiables=modifiables,
                pdfs=[f"/fiches/{pk}/formulaire-de-contact.pdf" for pk in pz[:3]],
            )
        )
    if not result:
        raise RuntimeError("aucun médecin avec des fiches : semez la base (seed_fiches)")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`make serve`'s gunicorn (gthread workers, restarted after ~2,000 requests), on a free
    port of 127.0.0.1, behind which the generator plays the TLS-terminating proxy."""

    def __init__(self, *, workers: int, threads: int, env: dict | None = None):
        self.port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "contactcovid.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads),
            "--max-requests", "2000", "--max-requests-jitter", "200", "--log-level", "warning",
        ]  # fmt: skip
        env = {**os.environ, "DEBUG": "false", "SECURE_PROXY_SSL_HEADER": "true",
               "ALLOWED_HOSTS": HOST, **(env or {})}  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 — our own gunicorn, fixed arguments
            command, env=env, cwd=Path(settings.BASE_DIR), stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz", headers={"Host": HOST})
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
            finally:
                connection.close()
        self.stop()
        raise RuntimeError("gunicorn n'a pas démarré en 30 s")

    def worker_pids(self) -> list[str]:
        return (
            Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        )

    def workers_rss_mb(self) -> list[float]:
        return [mb for pid in self.worker_pids() if (mb := rss_mb(pid))]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _user_loop(port, medecin: Medecin, palier: Palier, deadline: float, n: int, slot: int):
    """One person's requests until the deadline. Two people of the same doctor never edit the
    same fiche (their slot picks it), as two tabs of one doctor would conflict (409)."""
    try:
        _requests(port, medecin, palier, deadline, n, slot)
    except Exception as error:  # a generator's bug is reported, never silently fewer requests
        palier.pannes.append(repr(error))


def _requests(port, medecin: Medecin, palier: Palier, deadline: float, n: int, slot: int):
    rng = random.Random(n)
    edited = medecin.modifiables[slot % len(medecin.modifiables)]
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    # One connection a request, as a reverse proxy without upstream keep-alive (nginx's
    # default) talks to gunicorn: a kept-alive connection would tie a user to one worker and
    # leave the other core idle.
    headers = {"Host": HOST, "Cookie": medecin.cookie, "X-Forwarded-Proto": "https",
               "Connection": "close"}  # fmt: skip
    lock = threading.Lock()

    def send(method, path, body=None, expected=200):
        extra = {}
        if body is not None:
            extra = {"Content-Type": "application/x-www-form-urlencoded",
                     "Origin": f"https://{HOST}"}  # fmt: skip
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={**headers, **extra})
            response = connection.getresponse()
            content = response.read()
            ok = response.status == expected
        except (OSError, http.client.HTTPException):
            content, ok = b"", False
        finally:
            connection.close()
        return (time.perf_counter() - start) * 1000, ok, content

    while time.monotonic() < deadline:
        kind = rng.choice(kinds)
        if kind == "modifier":
            path, data = edited
            ms, ok, page = send("GET", path)
            results = [(ms, ok)]
            if ok and (version := VERSION.search(page)):
                body = urlencode({**data, "version": version.group(1).decode()})
                ms, ok, _ = send("POST", path, body=body, expected=302)
                results.append((ms, ok))
        else:
            pages = {"liste": medecin.listes, "recherche": medecin.recherches,
                     "fiche": medecin.fiches, "pdf": medecin.pdfs}[kind]  # fmt: skip
            ms, ok, _ = send("GET", rng.choice(pages))
            results = [(ms, ok)]
        with lock:
            for ms, ok in results:
                palier.latences.setdefault(kind, []).append(ms)
                palier.erreurs += not ok


def _cpu_seconds(pids) -> float:
    """User + system CPU time of these processes and of their children that ended (Linux
    /proc: a gunicorn worker restarted after --max-requests, a PostgreSQL backend whose
    connection closed are counted in their parent's), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def _postgres_pids() -> list[str]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(entry.name)
            except OSError:
                continue
    return pids


def cpu_snapshot(server) -> dict[str, float]:
    """Where the machine's CPU goes: the app's workers, PostgreSQL, this generator."""
    return {
        "workers": _cpu_seconds([str(server.process.pid), *server.worker_pids()]),
        "postgres": _cpu_seconds(_postgres_pids()),
        "generateur": _cpu_seconds([str(os.getpid())]),
    }


def palier(port: int, doctors: list[Medecin], *, concurrence: int, duree: float,
           server=None) -> Palier:  # fmt: skip
    result = Palier(concurrence=concurrence, duree=duree)
    before = cpu_snapshot(server) if server else None
    deadline = time.monotonic() + duree
    threads = [
        threading.Thread(
            target=_user_loop,
            args=(port, doctors[n % len(doctors)], result, deadline, n, n // len(doctors)),
            daemon=True,
        )
        for n in range(concurrence)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if result.pannes:
        raise RuntimeError(f"le générateur de charge a échoué : {result.pannes[:3]}")
    if before:
        after = cpu_snapshot(server)
        result.cpu = {part: after[part] - before[part] for part in after}
    return result


def rapport(paliers: list[Palier], rss_avant, rss_apres, *, workers, threads) -> list[str]:
    lines = [
        f"Charge mixte : gunicorn {workers} workers × {threads} threads (gthread), "
        f"{', '.join(f'{k} {w} %' for k, w in MIX)} ; « modifier » = formulaire puis VALIDER.",
        "",
        "| utilisateurs simultanés | requêtes/s | p50 | p95 | p95 PDF | erreurs "
        "| CPU par requête : app / PostgreSQL / générateur |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in paliers:
        pdf = percentile(p.latences.get("pdf", [0]), 0.95)
        lines.append(
            f"| {p.concurrence} | {p.debit:.0f} | {p.p(0.5):.1f} ms | {p.p(0.95):.1f} ms | "
            f"{pdf:.1f} ms | {p.erreurs} | {p.cpu_par_requete()} |"
        )
    good = [p for p in paliers if p.p(0.95) <= 150 and not p.erreurs]
    best = max(good, key=lambda p: p.debit) if good else None
    lines.append("")
    lines.append(
        f"Débit à p95 ≤ 150 ms sans erreur : **{best.debit:.0f} requêtes/s** "
        f"({best.concurrence} utilisateurs)."
        if best
        else "Aucun palier à p95 ≤ 150 ms sans erreur."
    )
    lines.append(
        "Mémoire des workers : "
        f"{', '.join(f'{mb:.0f}' for mb in rss_avant)} Mo au démarrage → "
        f"{', '.join(f'{mb:.0f}' for mb in rss_apres)} Mo après la charge."
    )
    return lines


def run(usernames, *, concurrences, duree, workers, threads, out=print, env=None) -> list[str]:
    doctors = medecins(usernames)
    server = Gunicorn(workers=workers, threads=threads, env=env)
    try:
        rss_avant = server.workers_rss_mb()
        palier(server.port, doctors, concurrence=max(concurrences), duree=min(5.0, duree))  # warm
        paliers = []
        for level in concurrences:
            paliers.append(
                palier(server.port, doctors, concurrence=level, duree=duree, server=server)
            )
            p = paliers[-1]
            out(f"  {level} utilisateurs : {p.debit:.0f} req/s, p95 {p.p(0.95):.1f} ms, "
                f"{p.erreurs} erreur(s)")  # fmt: skip
        rss_apres = server.workers_rss_mb()
    finally:
        server.stop()
    return rapport(paliers, rss_avant, rss_apres, workers=workers, threads=threads)
