"""What changed in a dashboard, panel by panel, with panels matched by identity rather than position.

A panel's identity is its title within its row (``api-availability: … > SLI over 30d``), numbered when a
row repeats a title. Grafana's ``id`` and ``gridPos`` are positions: a generated dashboard renumbers
every panel below a new row, so matching on them shows unrelated panels as rewired. Panels that lost
their identity (a renamed panel, a row whose title changed) are then paired by what they query, so a
rename reads as a rename. A row added or removed is one line naming its panels. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aurum.monitoring.diff.values import Detail, changed_values, field_details, shown

__all__ = ["Panel", "dashboard_details", "match_panels", "panel_count", "panel_keys", "panels_of"]

_POSITION = frozenset({"id", "gridPos"})
_NOT_CONTENT = frozenset({*_POSITION, "panels", "targets"})
_DASHBOARD_SKIP = frozenset({"panels", "id", "version", "iteration", "templating", "aurumObs"})
_DEFAULTS = "fieldConfig.defaults."
_THRESHOLDS = "fieldConfig.defaults.thresholds.steps"
SEPARATOR = " > "

JSON = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Panel:
    key: str
    """Its identity: ``row > title`` (``row 'title'`` for a row itself), ``#n`` after a repeated title."""
    row: str
    """The title of the row it is in; ``""`` outside rows."""
    body: JSON
    """The panel without its position and nested panels."""
    position: Any
    members: tuple[str, ...] = ()
    """For a row: the keys of its panels."""

    @property
    def is_row(self) -> bool:
        return self.body.get("type") == "row"

    @property
    def title(self) -> str:
        return str(self.body.get("title") or "")

    def queries(self) -> tuple[str, ...]:
        return tuple(sorted(str(t.get("expr", "")) for t in self.body.get("targets") or [] if t.get("expr")))


def _walk(dashboard: JSON) -> Iterator[tuple[str, JSON]]:
    """``(row title, panel)`` in layout order: a row holds the panels after it, or its own when collapsed."""
    row = ""
    for panel in dashboard.get("panels") or []:
        if panel.get("type") == "row":
            row = str(panel.get("title") or "")
            yield "", panel
            for nested in panel.get("panels") or []:
                yield row, nested
        else:
            yield row, panel


def panels_of(dashboard: JSON) -> dict[str, Panel]:
    """Every panel by its identity."""
    found: dict[str, Panel] = {}
    members: dict[str, list[str]] = {}
    for row, panel in _walk(dashboard):
        title = str(panel.get("title") or "")
        base = (
            f"row {title!r}" if panel.get("type") == "row" else (f"{row}{SEPARATOR}{title}" if row else title)
        )
        key, n = base, 1
        while key in found:
            n += 1
            key = f"{base} #{n}"
        body = {k: v for k, v in panel.items() if k not in _POSITION and k != "panels"}
        found[key] = Panel(key, row, body, panel.get("gridPos"))
        if row:
            members.setdefault(row, []).append(key)
    for key, known in found.items():
        if known.is_row:
            found[key] = Panel(key, "", known.body, known.position, tuple(members.get(known.title, ())))
    return found


def _signature(panel: Panel, panels: Mapping[str, Panel]) -> tuple[Any, ...] | None:
    if panel.is_row:
        inner = tuple(sorted(str(_signature(panels[m], panels)) for m in panel.members))
        return ("row", inner) if inner else None
    queries = panel.queries()
    return (panel.body.get("type"), queries) if queries else None


def match_panels(old: Mapping[str, Panel], new: Mapping[str, Panel]) -> list[tuple[str | None, str | None]]:
    """Pairs of keys (old, new): same identity first, then the same queries among the rest."""
    pairs: list[tuple[str | None, str | None]] = [(key, key) for key in old if key in new]
    gone = [k for k in old if k not in new]
    came = [k for k in new if k not in old]
    by_old: dict[Any, list[str]] = {}
    by_new: dict[Any, list[str]] = {}
    for key in gone:
        by_old.setdefault(_signature(old[key], old), []).append(key)
    for key in came:
        by_new.setdefault(_signature(new[key], new), []).append(key)
    for signature, keys in by_old.items():
        others = by_new.get(signature, [])
        if signature is not None and len(keys) == 1 and len(others) == 1:
            pairs.append((keys[0], others[0]))
            gone.remove(keys[0])
            came.remove(others[0])
    return pairs + [(key, None) for key in gone] + [(None, key) for key in came]


def _steps(panel: JSON) -> list[dict[str, Any]]:
    steps = panel.get("fieldConfig", {}).get("defaults", {}).get("thresholds", {}).get("steps")
    return list(steps) if isinstance(steps, list) else []


def _threshold_details(label: str, was: JSON, now: JSON) -> list[Detail]:
    before, after = _steps(was), _steps(now)
    if before == after:
        return []
    if [s.get("color") for s in before] == [s.get("color") for s in after]:
        return [
            Detail(f"{label} threshold {s.get('color')}", shown(s.get("value")), shown(t.get("value")))
            for s, t in zip(before, after, strict=True)
            if s != t
        ]

    def steps(values: list[dict[str, Any]]) -> str:
        return ", ".join(
            str(s.get("color")) + ("" if s.get("value") is None else f" from {shown(s.get('value'))}")
            for s in values
        )

    return [Detail(f"{label} thresholds", steps(before), steps(after))]


def _queries(panel: JSON) -> dict[str, str]:
    return {str(t.get("refId", i)): str(t.get("expr", "")) for i, t in enumerate(panel.get("targets") or [])}


def _panel_details(label: str, was: JSON, now: JSON) -> list[Detail]:
    details = []
    old_q, new_q = _queries(was), _queries(now)
    for ref in sorted(set(old_q) | set(new_q)):
        before, after = old_q.get(ref), new_q.get(ref)
        if before is not None and after is not None and before != after:
            details.append(Detail(f"{label} query {ref}", *changed_values(before, after)))
        elif before != after:
            details.append(Detail(f"{label} query {ref}", before, after))
    details += _threshold_details(label, was, now)
    flat_names = {}
    for body in (was, now):
        for key in _leaf_keys(body):
            if key.startswith(_DEFAULTS):
                flat_names[key] = key.removeprefix(_DEFAULTS)
    rest = field_details(
        {k: v for k, v in was.items() if k not in _NOT_CONTENT},
        {k: v for k, v in now.items() if k not in _NOT_CONTENT},
        prefix=f"{label} ",
        names=flat_names,
    )
    return details + [d for d in rest if not d.what.endswith(" thresholds.steps")]


def _leaf_keys(body: JSON, prefix: str = "") -> Iterator[str]:
    for key, value in body.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _leaf_keys(value, f"{path}.")
        else:
            yield path


def _variables(dashboard: JSON) -> dict[str, JSON]:
    variables = (dashboard.get("templating") or {}).get("list") or []
    return {str(v.get("name")): v for v in variables if isinstance(v, Mapping)}


def _variable_details(old: JSON, new: JSON) -> list[Detail]:
    before, after = _variables(old), _variables(new)
    details = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            details.append(Detail(f"variable ${name} added"))
        elif name not in after:
            details.append(Detail(f"variable ${name} removed"))
        else:
            details += field_details(before[name], after[name], prefix=f"variable ${name} ")
    return details


def _row_note(panel: Panel, verb: str) -> Detail:
    titles = [m.split(SEPARATOR, 1)[-1] for m in panel.members]
    inside = f" with {len(titles)} panels: {', '.join(titles)}" if titles else ""
    return Detail(f"row {panel.title!r} {verb}{inside}")


def _whole(panel: Panel, verb: str) -> tuple[Detail, set[str]]:
    """A panel added or removed, or a row with its panels (which are then not listed one by one)."""
    if panel.is_row:
        return _row_note(panel, verb), set(panel.members)
    return Detail(f"panel {panel.key!r} {verb}"), set()


def dashboard_details(old: JSON, new: JSON) -> list[Detail]:
    """What changed from ``old`` to ``new``: its own fields, its variables, then panel by panel."""
    details = field_details(old, new, skip=_DASHBOARD_SKIP)
    details += _variable_details(old, new)
    before, after = panels_of(old), panels_of(new)
    folded: set[str] = set()
    moved = 0
    panel_lines: list[Detail] = []
    for was_key, now_key in match_panels(before, after):
        if was_key is None or now_key is None:
            panel, verb = (
                (after[now_key], "added") if now_key is not None else (before[str(was_key)], "removed")
            )
            line, members = _whole(panel, verb)
            panel_lines.append(line)
            folded |= members
            continue
        was, now = before[was_key], after[now_key]
        if was_key != now_key:
            panel_lines.append(Detail("row renamed" if was.is_row else "panel renamed", was_key, now_key))
        panel_lines += _panel_details(f"panel {now_key!r}", was.body, now.body)
        moved += was.position != now.position
    # A panel added or removed with its row is in the row's line; one matched elsewhere was listed as renamed.
    details += [d for d in panel_lines if not _is_folded(d, folded)]
    if moved:
        details.append(Detail(f"{moved} panel{'s' if moved != 1 else ''} moved or resized"))
    return details


def _is_folded(detail: Detail, folded: set[str]) -> bool:
    return any(detail.what in {f"panel {k!r} added", f"panel {k!r} removed"} for k in folded)


def panel_count(dashboard: JSON) -> int:
    return sum(1 for panel in panels_of(dashboard).values() if not panel.is_row)


def panel_keys(dashboard: JSON) -> Sequence[str]:
    return [key for key, panel in panels_of(dashboard).items() if not panel.is_row]
