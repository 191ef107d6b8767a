"""YAML rendering: libyaml's emitter and PyYAML's pure one write the same bytes, and both write what
PyYAML's own representer would, so the fast path changes nothing but the time it takes."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rules_property import slos

from aurum.monitoring import SLO
from aurum.monitoring.compile.promtool_tests import promtool_tests
from aurum.monitoring.compile.rules import rule_file
from aurum.monitoring.compile.slo_rules import compile_slo
from aurum.monitoring.compile.workload import SynthesisError
from aurum.monitoring.io import render
from aurum.monitoring.io.render import dump_yaml

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_YAML = sorted(GOLDEN.rglob("*.yaml"))


class _Reference(yaml.SafeDumper):
    """PyYAML's representer and serializer with the representations the renderer promises."""


_Reference.add_representer(
    str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
)
_Reference.add_representer(
    Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", format(v.normalize(), "f"))
)


def _reference(document: Any) -> bytes:
    text = yaml.dump(
        document,
        Dumper=_Reference,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 16,
        default_flow_style=False,
    )
    return text.encode()


def _same_everywhere(document: Any) -> bytes:
    fast, pure = dump_yaml(document), dump_yaml(document, pure=True)
    assert fast == pure
    assert fast == _reference(document)
    return fast


def test_libyaml_is_there_so_the_fast_emitter_is_what_the_build_uses() -> None:
    # The comparisons below would compare the pure emitter with itself otherwise.
    assert render.FAST_EMITTER
    assert render._Dumper is yaml.CSafeDumper


def test_without_libyaml_the_pure_emitter_writes_the_same() -> None:
    program = (
        "import yaml; del yaml.CSafeDumper; yaml.__with_libyaml__ = False; "
        "from aurum.monitoring.io import render; assert render._Dumper is yaml.SafeDumper; "
        "import sys; sys.stdout.buffer.write(render.dump_yaml({'groups': [{'name': 'g', 'rules': []}]}))"
    )
    written = subprocess.run([sys.executable, "-c", program], capture_output=True, check=True).stdout
    assert (
        written == dump_yaml({"groups": [{"name": "g", "rules": []}]}) == b"groups:\n- name: g\n  rules: []\n"
    )


@pytest.mark.parametrize("path", GOLDEN_YAML, ids=[str(p.relative_to(GOLDEN)) for p in GOLDEN_YAML])
def test_every_golden_file_renders_byte_identical_with_either_emitter(path: Path) -> None:
    assert _same_everywhere(_as_built(yaml.safe_load(path.read_bytes()))) == path.read_bytes()


def _as_built(data: Any) -> Any:
    """The document as the compilers make it: exact decimals, which YAML reads back as floats."""
    if isinstance(data, dict):
        return {key: _as_built(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_as_built(item) for item in data]
    return Decimal(repr(data)) if isinstance(data, float) else data


def _render_slo(slo: SLO) -> list[dict[str, Any]]:
    groups = compile_slo(slo)
    try:
        tests = promtool_tests(slo, "rules.yaml", [group.name for group in groups])
    except SynthesisError:  # a policy no scenario can prove: the build refuses it, there is no file
        tests = {}
    return [rule_file(groups), *tests.values()]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(slo=slos())
def test_generated_slos_render_byte_identical_with_either_emitter(slo: SLO) -> None:
    for document in _render_slo(slo):
        assert yaml.safe_load(_same_everywhere(document)) == _as_read(document)


SCALARS = (
    st.text()
    | st.sampled_from(
        ["", " ", "true", "no", "~", "null", "1e3", "0x1f", "-1", "3.50", ":", "- a", "#x", "a: b"]
    )
    | st.integers()
    | st.booleans()
    | st.none()
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.floats()
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(document=st.dictionaries(st.text(), DOCUMENTS, max_size=5))
def test_any_document_renders_as_pyyaml_would(document: dict[str, Any]) -> None:
    _same_everywhere(document)


def _as_read(data: Any) -> Any:
    """What YAML gives back: an exact decimal is a float once read."""
    if isinstance(data, dict):
        return {key: _as_read(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_as_read(item) for item in data]
    return float(data) if isinstance(data, Decimal) else data
