"""The shapes of what a Jsonnet declaration may evaluate to, checked before anything reads it.

The lint, the test generator and the renderer read these documents by key; a string where a list of
panels is expected, or a test case keyed ``alertName``, would otherwise end in an ``AttributeError``
traceback or a test that silently checks nothing. Each document is validated here first, and every
problem is reported with its path inside the document (``dashboards[0].panels[3].targets[0].expr``).

promtool test cases follow Prometheus' unit-testing format, closed: an unknown key is a misspelling.
Grafana dashboards have far more keys than the build reads, so only those it reads are typed; the
others pass through as they are (and ``null`` anywhere, which the renderer drops).
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aurum.monitoring.io.errors import DeclarationError, field_path
from aurum.monitoring.validate.promql import expression_error

__all__ = ["DashboardShape", "TestCaseShape", "check_shape", "check_test_case"]

Labels = dict[str, str]


class _Closed(BaseModel):
    # Strict for Jsonnet, which has types; a YAML test file is validated laxly instead, numbers read
    # as strings where strings are expected (``eval_time: 0``, ``code: 500``), as promtool reads them.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, coerce_numbers_to_str=True)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, frozen=True)


# --- promtool unit tests (Prometheus' "unit testing for rules" format) ---------------------------
class _InputSeries(_Closed):
    series: str
    values: str


class _ExpectedAlert(_Closed):
    exp_labels: Labels = {}
    exp_annotations: Labels = {}


class _AlertRuleTest(_Closed):
    eval_time: str
    alertname: str
    exp_alerts: list[_ExpectedAlert] = []


class _ExpectedSample(_Closed):
    labels: str
    value: Any = None  # a number, or a string promtool parses (a YAML 1e+00 is one)
    histogram: str = ""


class _PromQLExprTest(_Closed):
    expr: str
    eval_time: str
    exp_samples: list[_ExpectedSample] = []


class TestCaseShape(_Closed):
    """One entry of a rules document's ``tests``: a promtool test group. No ``null``: the test file
    is written as given, and promtool and the guards read a missing list, not a null one."""

    __test__ = False  # a model, not a pytest test class

    name: str = ""
    interval: str = "1m"
    input_series: list[_InputSeries] = []
    alert_rule_test: list[_AlertRuleTest] = []
    promql_expr_test: list[_PromQLExprTest] = []
    external_labels: Labels = {}
    external_url: str = ""
    fuzzy_compare: bool = False


# --- Grafana dashboards: the parts the build reads -------------------------------------------------
class _GridPos(_Open):
    x: int | None = None
    y: int | None = None
    w: int | None = None
    h: int | None = None


class _Target(_Open):
    expr: str | None = None
    datasource: Any = None  # an object or a name: the lint reads either


class _Panel(_Open):
    id: int | None = None
    title: str | None = None
    type: str | None = None
    gridPos: _GridPos | None = None  # noqa: N815 - Grafana's key
    datasource: Any = None  # an object or a name: the lint reads either
    targets: list[_Target] | None = None
    panels: list[_Panel] | None = None


class _Variable(_Open):
    name: str | None = None
    type: str | None = None
    query: Any = None  # a string, or an object holding one: the lint reads either
    datasource: Any = None  # an object or a name: the lint reads either


class _Templating(_Open):
    list_: list[_Variable] | None = Field(default=None, alias="list")


class DashboardShape(_Open):
    """One Grafana dashboard of a dashboards document."""

    uid: str | None = None
    title: str | None = None
    tags: list[str] | None = None
    panels: list[_Panel] | None = None
    rows: list[Any] | None = None
    templating: _Templating | None = None
    links: list[dict[str, Any]] | None = None


def _message(error: Any, model: type[BaseModel]) -> str:
    if error["type"] != "extra_forbidden":
        return str(error["msg"]).removeprefix("Value error, ")
    # Name the keys the object does take, the closest first: 'alertName' -> did you mean 'alertname'?
    owner = _owner(model, tuple(error["loc"][:-1]))
    allowed = sorted((field.alias or name) for name, field in owner.model_fields.items()) if owner else []
    close = difflib.get_close_matches(str(error["loc"][-1]), allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key ({hint}keys: {', '.join(allowed)})"


def _owner(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that validated the object at ``loc`` (list indices skipped)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or isinstance(part, int):
            continue
        field = current.model_fields.get(str(part)) or next(
            (f for f in current.model_fields.values() if f.alias == part), None
        )
        current = _model_in(field.annotation) if field else None
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def check_shape(
    model: type[BaseModel], value: Any, file: str, obj: str, path: str, *, strict: bool = True
) -> BaseModel:
    """``value`` as ``model``, refused unless it has its shape: every problem, each with its path."""
    try:
        return model.model_validate(value, strict=strict)
    except ValidationError as error:
        problems = tuple(
            (field_path(tuple(e["loc"]), (path,)), _message(e, model))
            for e in error.errors(include_url=False)
        )
        raise DeclarationError(file, None, obj, problems) from None


def check_test_case(case: Any, file: str, obj: str, where: str, *, strict: bool = True) -> dict[str, Any]:
    """A promtool test group of the expected shape, whose PromQL parses (the guards parse it), as
    given but with the numbers a lax (YAML) reading took for strings written as strings."""
    valid = check_shape(TestCaseShape, case, file, obj, where, strict=strict)
    checked: dict[str, Any] = valid.model_dump(exclude_unset=True, by_alias=True)
    for number, check in enumerate(checked.get("promql_expr_test", [])):
        error = expression_error(check["expr"])
        if error is not None:
            message = f"not valid PromQL ({error})"
            raise DeclarationError(file, None, obj, ((f"{where}.promql_expr_test[{number}].expr", message),))
    return checked
