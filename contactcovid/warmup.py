"""What each app server process does once it has loaded the app (contactcovid/wsgi.py), and
what the benchmark suite does before measuring, to measure the same thing."""

import gc


def warm_then_freeze():
    """Load what every worker uses (URLs, the common templates, the PDF's fonts), then move
    everything alive into the permanent generation (`gc.freeze()`): the garbage collector's
    full passes then stop walking the app's tens of thousands of long-lived objects. Measured
    (`manage.py bench`): the contact-form PDF's p95 78 → 46 ms, and the same tail on pages."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    from fiches import pdf

    get_resolver().url_patterns  # noqa: B018 (imports every view)
    for name in ("base.html", "tracing/fiche_list.html", "tracing/fiche_detail.html",
                 "tracing/fiche_form.html", "tracing/plateforme/file.html"):  # fmt: skip
        get_template(name)
    pdf._renderer()
    gc.freeze()
