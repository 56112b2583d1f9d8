"""The benchmark suite's mixed load (`manage.py bench --charge`): gunicorn started as `make serve`
starts it, on 127.0.0.1, and doctors' sessions sending what a doctor's day is made of, over
keep-alive HTTP connections, at increasing concurrency: 60 % list and searches, 25 % a fiche,
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
from fiches.statuses import Statut
from tracing.bench import edit_form, search_token
from tracing.bench_http import HOST, WsgiBrowser, signed_in_cookies

VERSION = re.compile(rb'name="version" value="(\d+)"')
MIX = (("liste", 45), ("recherche", 15), ("fiche", 25), ("modifier", 10), ("pdf", 5))


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

    @property
    def toutes(self) -> list[float]:
        return [ms for values in self.latences.values() for ms in values]

    @property
    def debit(self) -> float:
        return len(self.toutes) / self.duree

    def p(self, fraction: float) -> float:
        values = sorted(self.toutes)
        return values[min(len(values) - 1, round(fraction * (len(values) - 1)))] if values else 0


def medecins(usernames: list[str]) -> list[Medecin]:
    """Sessions and pages for each doctor, prepared in process (searches posted once, their
    tokens kept, as a doctor paging through results)."""
    result = []
    for username in usernames:
        user = User.objects.get(username=username)
        cookies = signed_in_cookies(user)
        browser = WsgiBrowser(cookies=cookies)
        browser.get("/")
        fiches = list(
            Fiche.objects.filter(medecin=user, brouillon=False)
            .order_by("-created_at", "-id")
            .values("pk", "nature", "nir")[:40]
        )
        pz = [f["pk"] for f in fiches if f["nature"] == Nature.PATIENT_ZERO]
        contacts = [f["pk"] for f in fiches if f["nature"] == Nature.CONTACT]
        nir = next(f["nir"] for f in fiches if f["nir"])
        searches = [{"nom": "lef"}, {"prenom": "celi"}, {"nir": nir}, {"nir": nir[:7]},
                    {"prenom": "célia", "statut": Statut.APPEL_REALISE.value}]  # fmt: skip
        modifiables = []
        for pk in contacts[:5]:
            path = f"/fiches/{pk}/modifier/"
            modifiables.append((path, edit_form(browser, path)))
        result.append(
            Medecin(
                cookie="; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
                listes=["/", "/?par_page=100", f"/?statut={Statut.A_CONTACTER.value}"],
                recherches=["/?" + urlencode(search_token(browser, "/", s)) for s in searches],
                fiches=[f"/fiches/{pk}/" for pk in pz[:5] + contacts[:5]],
                modifiables=modifiables,
                pdfs=[f"/fiches/{pk}/formulaire-de-contact.pdf" for pk in pz[:3]],
            )
        )
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`make serve`'s gunicorn (gthread workers, restarted after ~2,000 requests), on a free
    port of 127.0.0.1, behind which the generator plays the TLS-terminating proxy."""

    def __init__(self, *, workers: int, threads: int):
        self.port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "contactcovid.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads),
            "--max-requests", "2000", "--max-requests-jitter", "200",
        ]  # fmt: skip
        env = {**os.environ, "DEBUG": "false", "SECURE_PROXY_SSL_HEADER": "true"}
        env["ALLOWED_HOSTS"] = HOST
        self.process = subprocess.Popen(  # noqa: S603 — our own gunicorn, fixed arguments
            command, env=env, cwd=Path(settings.BASE_DIR), stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz", headers={"Host": HOST})
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn n'a pas démarré en 30 s")

    def workers_rss_mb(self) -> list[float]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
            sizes.append(int(kb) / 1024)
        return sizes

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _user_loop(port: int, medecin: Medecin, palier: Palier, deadline: float, seed: int):
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": HOST, "Cookie": medecin.cookie, "X-Forwarded-Proto": "https"}
    lock = threading.Lock()

    def send(method, path, body=None, expected=200):
        extra = {}
        if body is not None:
            extra = {"Content-Type": "application/x-www-form-urlencoded",
                     "Origin": f"https://{HOST}"}  # fmt: skip
        nonlocal connection
        start = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers={**headers, **extra})
            response = connection.getresponse()
            content = response.read()
            ok = response.status == expected
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            content, ok = b"", False
        return (time.perf_counter() - start) * 1000, ok, content

    while time.monotonic() < deadline:
        kind = rng.choice(kinds)
        if kind == "modifier":
            path, data = rng.choice(medecin.modifiables)
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
    connection.close()


def palier(port: int, doctors: list[Medecin], *, concurrence: int, duree: float) -> Palier:
    result = Palier(concurrence=concurrence, duree=duree)
    deadline = time.monotonic() + duree
    threads = [
        threading.Thread(
            target=_user_loop,
            args=(port, doctors[n % len(doctors)], result, deadline, n),
            daemon=True,
        )
        for n in range(concurrence)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def rapport(paliers: list[Palier], rss_avant, rss_apres, *, workers, threads) -> list[str]:
    lines = [
        f"Charge mixte : gunicorn {workers} workers × {threads} threads (gthread), "
        f"{', '.join(f'{k} {w} %' for k, w in MIX)} ; « modifier » = formulaire puis VALIDER.",
        "",
        "| utilisateurs simultanés | requêtes/s | p50 | p95 | p95 PDF | erreurs |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for p in paliers:
        pdf = sorted(p.latences.get("pdf", [0]))
        lines.append(
            f"| {p.concurrence} | {p.debit:.0f} | {p.p(0.5):.1f} ms | {p.p(0.95):.1f} ms | "
            f"{pdf[round(0.95 * (len(pdf) - 1))]:.1f} ms | {p.erreurs} |"
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


def run(usernames, *, concurrences, duree, workers, threads, out=print) -> list[str]:
    doctors = medecins(usernames)
    server = Gunicorn(workers=workers, threads=threads)
    try:
        rss_avant = server.workers_rss_mb()
        palier(server.port, doctors, concurrence=max(concurrences), duree=min(5.0, duree))  # warm
        paliers = []
        for level in concurrences:
            paliers.append(palier(server.port, doctors, concurrence=level, duree=duree))
            p = paliers[-1]
            out(f"  {level} utilisateurs : {p.debit:.0f} req/s, p95 {p.p(0.95):.1f} ms, "
                f"{p.erreurs} erreur(s)")  # fmt: skip
        rss_apres = server.workers_rss_mb()
    finally:
        server.stop()
    return rapport(paliers, rss_avant, rss_apres, workers=workers, threads=threads)
