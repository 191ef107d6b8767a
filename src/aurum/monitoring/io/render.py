"""Deterministic serialisation: same document, byte-identical file.

YAML goes straight from the document to PyYAML's events, which libyaml's emitter writes when PyYAML
has it (and PyYAML's pure-Python emitter otherwise; the two write the same bytes, which
``tests/test_render.py`` proves on every golden file and on generated documents). PyYAML's
representer and serializer do the same job for any Python object, but take three quarters of the
time on ours: documents here are trees of dicts, lists and a few scalar types, never shared, so the
events are a plain walk, and the scalars that recur (keys, labels, names) are built once.
"""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

__all__ = ["FAST_EMITTER", "dump_json", "dump_yaml"]

FAST_EMITTER: bool = bool(getattr(yaml, "__with_libyaml__", False))
"""Whether libyaml's emitter is available (``pip install pyyaml`` ships it on common platforms)."""

# Without libyaml, PyYAML has no CSafeDumper at all.
_Dumper: type[yaml.SafeDumper] = (
    getattr(yaml, "CSafeDumper", yaml.SafeDumper) if FAST_EMITTER else yaml.SafeDumper
)
_RESOLVER = yaml.resolver.Resolver()
_REPRESENTER = yaml.representer.SafeRepresenter()
"""Only for PyYAML's spelling of a float (``.inf``, ``1.0e+17``)."""
_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_HEAD = (StreamStartEvent(), DocumentStartEvent(explicit=False))
_TAIL = (DocumentEndEvent(explicit=False), StreamEndEvent())
_MAPPING = (MappingStartEvent(None, None, True, flow_style=False), MappingEndEvent())
_SEQUENCE = (SequenceStartEvent(None, None, True, flow_style=False), SequenceEndEvent())


_BEYOND_BMP = re.compile("[^\x00-\uffff]")
_LINE_BREAK = re.compile("[\n\r\x85\u2028\u2029]")
_SIMPLE_KEY_BYTES = 128
"""PyYAML writes a key as ``key:`` below 128 characters, libyaml up to 128 bytes."""


@functools.lru_cache(maxsize=1 << 14)
def _scalar(tag: str, value: str) -> tuple[ScalarEvent, bool]:
    """A scalar as PyYAML's serializer makes it (untagged when reading it back gives the same type),
    and whether libyaml writes it exactly as PyYAML does: not characters beyond the BMP, which
    libyaml escapes and PyYAML writes as they are, nor a tag."""
    detected = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
    implicit = (detected == tag, tag == _STR)
    # Multi-line PromQL reads far better as a literal block than as a folded, quoted scalar.
    style = "|" if tag == _STR and "\n" in value else None
    # libyaml writes an explicitly tagged scalar (``!!float 30``) plain, PyYAML quotes it.
    same = _BEYOND_BMP.search(value) is None and any(implicit)
    return ScalarEvent(None, tag, implicit, value, style=style), same


@functools.lru_cache(maxsize=1 << 14)
def _text(value: str) -> tuple[ScalarEvent, bool]:
    return _scalar(_STR, value)


@functools.lru_cache(maxsize=1 << 14)
def _key(key: str) -> tuple[ScalarEvent, bool]:
    """A mapping key's event, and whether both emitters write it as a simple key (PyYAML writes
    ``? ''`` for an empty one, and they disagree on which line breaks make a key complex)."""
    event, same = _text(key)
    simple = key != "" and _LINE_BREAK.search(key) is None and len(key.encode()) < _SIMPLE_KEY_BYTES
    return event, same and simple


def _other(data: object) -> tuple[ScalarEvent, bool]:
    if isinstance(data, bool):
        return _scalar(_BOOL, "true" if data else "false")
    if isinstance(data, int):
        return _scalar(_INT, str(data))
    if isinstance(data, Decimal):
        # Exact decimals: 0.999, never 0.9990000000000001.
        return _scalar(_FLOAT, format(data.normalize(), "f"))
    if isinstance(data, float):  # the compilers write Decimals; a float comes from YAML read back
        return _scalar(_FLOAT, _REPRESENTER.represent_float(data).value)
    if data is None:
        return _scalar(_NULL, "null")
    if isinstance(data, str):  # a str subclass, such as an enum member
        return _scalar(_STR, str(data))
    msg = f"cannot serialise {type(data).__name__} to YAML"
    raise TypeError(msg)


def _events(data: Any, out: list[Event]) -> bool:
    """Append ``data``'s events to ``out``; False when libyaml would write them otherwise than PyYAML.

    The hottest loop of a build: exact type checks first, then the general case; string values, the
    most common, without a call of their own.
    """
    kind = type(data)
    same = True
    if kind is dict or (kind is not str and isinstance(data, dict)):
        out.append(_MAPPING[0])
        for key, value in data.items():
            event, simple = _key(key) if type(key) is str else _other(key)
            out.append(event)
            if type(value) is str:
                event, written_alike = _text(value)
                out.append(event)
                same = written_alike and simple and same
            else:
                same = _events(value, out) and simple and same
        out.append(_MAPPING[1])
    elif kind is list or (kind is not str and isinstance(data, list)):
        out.append(_SEQUENCE[0])
        for item in data:  # every item, even once one is known to differ
            same = _events(item, out) and same
        out.append(_SEQUENCE[1])
    else:
        event, same = _text(data) if kind is str else _other(data)
        out.append(event)
    return same


def dump_yaml(document: Any, *, pure: bool = False) -> bytes:
    """Block YAML in insertion order (the compilers choose a reviewer-friendly order), UTF-8.

    libyaml writes it unless ``pure`` or the document holds what libyaml writes differently (then
    PyYAML's own emitter does, so the bytes never depend on which one is installed).
    """
    events: list[Event] = list(_HEAD)
    same = _events(document, events)
    events += _TAIL
    dumper = _Dumper if same and not pure else yaml.SafeDumper
    text: str = yaml.emit(events, Dumper=dumper, allow_unicode=True, width=1 << 16)
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
