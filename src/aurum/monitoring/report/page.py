"""The report as one self-contained HTML file: styles inline, plots as ``data:`` PNGs, no script and
no reference to anything outside the file, so it opens offline, in a mail, or from a CI artefact. Pure.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence

from aurum.monitoring.report.collect import SLOReport
from aurum.monitoring.report.summary import INCIDENT_HEADER, clock, incident_row, percent, standing

__all__ = ["html_page"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 64rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #f4f6f7; } .met { color: #1e8449; } .missed { color: #c0392b; font-weight: bold; }
img { width: 100%; height: auto; border: 1px solid #eee; } .muted { color: #777; font-size: 0.85rem; }
"""


def _row(cells: Sequence[str], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in cells) + "</tr>"


def _section(report: SLOReport, plot: bytes) -> str:
    slo = report.slo
    verdict = standing(report)
    image = base64.b64encode(plot).decode()
    facts = (
        ("objective", percent(report.objective, 2)),
        (f"SLI over {slo.period_days}d at the end", percent(report.sli_at_end, 3)),
        ("error budget remaining at the end", percent(report.budget_at_end)),
        ("incidents", str(len(report.incidents))),
    )
    parts = [
        f'<section id="slo-{html.escape(slo.name)}">',
        f'<h2>{html.escape(slo.name)} <span class="{verdict.replace(" ", "-")}">{html.escape(verdict)}</span></h2>',
        f'<p>{html.escape(slo.description)} <span class="muted">service {html.escape(slo.service)}</span></p>',
        "<table>" + "".join(_row(fact) for fact in facts) + "</table>",
        f'<img alt="{html.escape(slo.name)}: SLI, error budget and burn rates" src="data:image/png;base64,{image}">',
    ]
    if report.incidents:
        rows = "".join(_row(incident_row(i, report.end)) for i in report.incidents)
        parts.append(f'<table class="incidents">{_row(INCIDENT_HEADER, "th")}{rows}</table>')
    else:
        parts.append("<p>No alert fired.</p>")
    parts.append("</section>")
    return "\n".join(parts)


def html_page(reports: Sequence[SLOReport], prometheus: str, plot: Callable[[SLOReport], bytes]) -> str:
    overview = "".join(
        _row(
            (
                r.slo.name,
                percent(r.objective, 2),
                standing(r),
                percent(r.budget_at_end),
                str(len(r.incidents)),
            )
        )
        for r in reports
    )
    span = (
        f"{clock(min(r.start for r in reports))} to {clock(max(r.end for r in reports))}" if reports else ""
    )
    header = ("SLO", "objective", "at the end", "budget remaining", "incidents")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            "<title>SLO report</title>",
            f"<style>{_STYLE}</style></head><body>",
            "<h1>SLO report</h1>",
            f'<p class="muted">{html.escape(span)}, read from {html.escape(prometheus)}. Shaded: an alert of the SLO firing.</p>',
            f"<table>{_row(header, 'th')}{overview}</table>",
            *(_section(report, plot(report)) for report in reports),
            "</body></html>",
            "",
        ]
    )
