"""Bar charts as SVG, drawn on the server: the geometry here, the markup in
`tracing/_graphique.html`, the colours in app.css (no inline style or script: the CSP forbids
both, which rules out pygal's output). Each chart's figures are also shown as a table.
"""

import math
from dataclasses import dataclass
from datetime import date
from html import escape

from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 28


@dataclass(frozen=True)
class Barre:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Graduation:
    y: float
    label: str


@dataclass(frozen=True)
class Repere:
    x: float
    label: str


@dataclass(frozen=True)
class Serie:
    label: str
    css: str
    values: list  # one per day (None: no figure that day)


@dataclass(frozen=True)
class Graphique:
    id: str
    titre: str
    unite: str
    jours: list[date]
    series: list[Serie]
    barres: list[Barre]
    graduations: list[Graduation]
    reperes: list[Repere]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM
    right: float = WIDTH - RIGHT
    vide: bool = False
    semaines: bool = False

    @property
    def svg_barres(self):
        """The bars' markup, built here in one pass (a template loop, or format_html, per bar
        costs more than the whole page's SQL over a year). Every value is escaped."""
        return _safe(
            f'<rect class="barre {escape(b.css)}" x="{b.x}" y="{b.y}" width="{b.width}" '
            f'height="{b.height}"><title>{escape(b.title)}</title></rect>'
            for b in self.barres
        )

    @property
    def lignes_html(self):
        """The rows of the table beside the chart, built the same way."""
        rows = []
        for i, day in enumerate(self.jours):
            cells = "".join(
                '<td class="text-end">'
                + escape("—" if s.values[i] is None else _format(s.values[i], self.unite))
                + "</td>"
                for s in self.series
            )
            rows.append(f'<tr><th scope="row" class="fw-normal">{day:%d/%m}</th>{cells}</tr>')
        return _safe(rows)


def _safe(parts):
    """Markup whose every text was escaped above (html.escape) and whose numbers are floats."""
    return mark_safe("".join(parts))  # noqa: S308


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at least `value` (the top of the axis)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def _format(value: float, unite: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} {unite}".strip() if unite else text


def barres(
    *,
    id: str,
    titre: str,
    jours: list[date],
    series: list[Serie],
    unite: str = "",
    top=None,
    semaines: bool = False,
) -> Graphique:
    """Bars per day (or per week, from the given Mondays); several series are stacked (their
    sum is the bar's height)."""
    n = max(len(jours), 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(jours))]
    top = top or nice_ceiling(max(totals, default=0))
    slot = plot_width / n
    gap = min(2, slot * 0.2)
    bars = []
    for i, day in enumerate(jours):
        base = 0.0
        for serie in series:
            value = serie.values[i]
            if not value:
                continue
            height = plot_height * min(value, top) / top
            bars.append(
                Barre(
                    x=round(LEFT + i * slot + gap / 2, 2),
                    y=round(TOP + plot_height - base - height, 2),
                    width=round(max(slot - gap, 0.5), 2),
                    height=round(height, 2),
                    css=serie.css,
                    title=f"{'Semaine du ' if semaines else ''}{day:%d/%m/%Y} — "
                    f"{serie.label} : {_format(value, unite)}",
                )
            )
            base += height
    graduations = [
        Graduation(
            y=round(TOP + plot_height * (1 - fraction), 2), label=_format(top * fraction, "")
        )
        for fraction in (0, 0.5, 1)
    ]
    marks = sorted({0, n // 2, n - 1}) if jours else []
    reperes = [
        Repere(x=round(LEFT + (i + 0.5) * slot, 2), label=f"{jours[i]:%d/%m}") for i in marks
    ]
    return Graphique(
        id=id,
        titre=titre,
        unite=unite,
        jours=jours,
        series=series,
        barres=bars,
        graduations=graduations,
        reperes=reperes,
        vide=not any(totals),
        semaines=semaines,
    )
