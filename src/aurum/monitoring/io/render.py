"""Deterministic serialisation: same document, byte-identical file."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import yaml

__all__ = ["dump_json", "dump_yaml"]


class _Dumper(yaml.SafeDumper):
    """Block-literal multi-line strings, indented lists, exact decimals."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, indentless=False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Multi-line PromQL reads far better as a literal block than as a folded, quoted scalar.
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


def _represent_decimal(dumper: yaml.SafeDumper, data: Decimal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(data.normalize(), "f"))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)


def dump_yaml(document: Any) -> bytes:
    """YAML in insertion order (the compilers choose a reviewer-friendly order), UTF-8."""
    text = yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 16, default_flow_style=False
    )
    return text.encode()


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    msg = f"cannot serialise {type(value).__name__} to JSON"
    raise TypeError(msg)


def dump_json(document: Any) -> bytes:
    """Sorted keys, two-space indent, trailing newline."""
    return (
        json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=_default) + "\n"
    ).encode()
