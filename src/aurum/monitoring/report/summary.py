"""The report's words: per SLO its standing at the end, and every incident with its start, end and
the budget it spent. Markdown for a pull request, a wiki or a monthly review. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from aurum.monitoring.report.collect import Incident, SLOReport

__all__ = ["clock", "incident_row", "lasted", "markdown_summary", "percent", "standing"]


def clock(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def lasted(seconds: float) -> str:
    seconds = round(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    parts.append(f"{secs}s" if secs or not any(parts) else "")
    return " ".join(p for p in parts if p)


def percent(value: float | None, digits: int = 1) -> str:
    return "no data" if value is None else f"{value * 100:.{digits}f}%"


def standing(report: SLOReport) -> str:
    """``met`` / ``missed`` by the SLI over the period at the end of the report."""
    sli = report.sli_at_end
    if sli is None:
        return "no data"
    return "met" if sli >= report.objective else "missed"


def incident_row(incident: Incident, end: float) -> tuple[str, str, str, str, str, str]:
    """Alert, severity, start, end, how long, budget spent: as the page and the summary show them."""
    ended = clock(incident.end) if incident.end is not None else "still firing"
    duration = lasted((incident.end if incident.end is not None else end) - incident.start)
    return (
        incident.alert,
        incident.severity or "-",
        clock(incident.start),
        ended,
        duration,
        percent(incident.budget_spent),
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows),
    ]


INCIDENT_HEADER = ("alert", "severity", "start (UTC)", "end (UTC)", "lasted", "budget spent")


def markdown_summary(reports: Sequence[SLOReport], prometheus: str, html_name: str) -> str:
    lines = ["# SLO report", "", f"From {prometheus}; plots in `{html_name}`.", ""]
    header = ("SLO", "objective", "from", "to", "SLI over the period", "budget remaining", "", "incidents")
    rows = [
        (
            r.slo.name,
            percent(r.objective, 2),
            clock(r.start),
            clock(r.end),
            percent(r.sli_at_end, 3),
            percent(r.budget_at_end),
            standing(r),
            str(len(r.incidents)),
        )
        for r in reports
    ]
    lines += _table(header, rows)
    for report in reports:
        lines += ["", f"## {report.slo.name}", "", report.slo.description, ""]
        if report.incidents:
            lines += _table(INCIDENT_HEADER, [incident_row(i, report.end) for i in report.incidents])
        else:
            lines.append("No alert fired.")
    return "\n".join(lines) + "\n"
