"""The contact-form PDF at scale (issue 14, 3): its fonts are set up once per thread, and
rendering it again and again does not make the process grow."""

import threading

from fiches import pdf
from fiches.management.commands.bench_pdf import rss_mb
from fiches.tests.factories import FicheFactory


def test_each_thread_keeps_one_font_configuration_for_all_its_pdfs():
    first, again = pdf._renderer(), pdf._renderer()
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf._renderer()))
    thread.start()
    thread.join()

    assert first[0] is again[0] and first[1] is again[1]
    assert other[0][0] is not first[0]


def test_rendering_fifty_pdfs_leaves_the_memory_flat(db, medecin):
    fiche = FicheFactory(declarant=medecin)
    for _ in range(5):  # warm: fonts, stylesheet, caches
        pdf.formulaire_contact_pdf(fiche=fiche, medecin=medecin)
    before = rss_mb()

    for _ in range(50):
        assert pdf.formulaire_contact_pdf(fiche=fiche, medecin=medecin).startswith(b"%PDF")

    # A new font configuration per render grew it by ≈ 0.28 MB a PDF (14 MB here).
    assert rss_mb() - before < 6, (before, rss_mb())
