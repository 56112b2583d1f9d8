"""The contact-form PDF at scale (issue 14, 3): its fonts are set up once per process, shared
by its threads one render at a time, and rendering it again and again does not make the
process grow."""

import threading

from fiches import pdf
from fiches.tests.factories import FicheFactory
from tracing.bench import rss_mb


def test_the_process_keeps_one_font_configuration_for_all_its_pdfs():
    first, again = pdf._renderer(), pdf._renderer()
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf._renderer()))
    thread.start()
    thread.join()

    assert first[0] is again[0] is other[0][0] and first[1] is again[1] is other[0][1]


def test_threads_rendering_at_once_each_get_their_whole_pdf(db, medecin):
    fiche = FicheFactory(declarant=medecin, prenom="Léa", nom="Roy")
    expected = pdf.formulaire_contact_pdf(fiche=fiche, medecin=medecin)
    results = []

    def render():
        results.append(pdf.formulaire_contact_pdf(fiche=fiche, medecin=medecin))

    threads = [threading.Thread(target=render) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # The same document each time (WeasyPrint stamps its creation time: compare the sizes).
    assert len(results) == 4
    assert all(r.startswith(b"%PDF") and r.rstrip().endswith(b"%%EOF") for r in results)
    assert {len(r) for r in results} == {len(expected)}


def test_rendering_fifty_pdfs_leaves_the_memory_flat(db, medecin):
    fiche = FicheFactory(declarant=medecin)
    for _ in range(5):  # warm: fonts, stylesheet, caches
        pdf.formulaire_contact_pdf(fiche=fiche, medecin=medecin)
    before = rss_mb()

    for _ in range(50):
        assert pdf.formulaire_contact_pdf(fiche=fiche, medecin=medecin).startswith(b"%PDF")

    # A new font configuration per render grew it by ≈ 0.28 MB a PDF (14 MB here).
    assert rss_mb() - before < 6, (before, rss_mb())
