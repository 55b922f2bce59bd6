"""The ``CYPHER name=value ...`` parameter header of a FalkorDB query, built fast.

Byte for byte what the ``falkordb`` client builds (``Graph._build_params_header``), with one
dispatch per value instead of a chain of ``isinstance`` checks: writing back an analysis of
100k users spent 5 s in the client's version.
``tests/graph/backends/test_falkordb_params.py`` holds the two equal on generated values.

What the header cannot carry is refused with :class:`ParameterRefused` before any server sees
it: a name or map key that is empty or holds a backtick (the client's ``ValueError``), a NUL
anywhere (the server reads the query as C text, so a NUL cuts it short, and its string
literals have no escape for one), and lists or maps nested deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from falkordb.helpers import stringify_param_value

from graph.errors import InvalidQuery

MAX_DEPTH = 32  # lists and maps in lists and maps; the header is built recursively


class ParameterRefused(InvalidQuery, ValueError):
    """A parameter the header cannot carry; a ``ValueError`` too, as the client's refusal."""


def _quote(text: str) -> str:
    if not text:
        return '""'
    if "\x00" in text:
        raise ParameterRefused("a text value holds a NUL character, which FalkorDB cannot take")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _name_problem(name: str) -> str | None:
    if name == "":
        return "is empty"
    if "`" in name:
        return "holds a backtick"
    if "\x00" in name:
        return "holds a NUL character"
    return None


_KEYS: dict[str, str] = {}  # map key -> "`key`:", made once per distinct text key


def _key(key: Any) -> str:
    known = _KEYS.get(key)
    if known is not None:
        return known
    name = key.decode() if isinstance(key, bytes) else str(key)
    if (problem := _name_problem(name)) is not None:
        raise ParameterRefused(f"the map key {name!r} {problem}")
    made = f"`{name}`:"
    if type(key) is str and len(_KEYS) < 10_000:  # not 1 and True: equal keys, not names
        _KEYS[key] = made
    return made


def _null(_none: None) -> str:
    return "null"


_SCALARS: dict[type, Callable[[Any], str]] = {
    str: _quote,
    int: str,
    float: str,
    bool: str,
    type(None): _null,
}
Encode = Callable[[Any], str]


def _too_deep(_value: object) -> str:
    raise ParameterRefused(f"lists and maps are nested deeper than {MAX_DEPTH} levels")


def _level(inner: Encode | None) -> Encode:
    """The encoder of a value at one depth, given ``inner``, the encoder of what its lists and
    maps hold (``None``: at the depth limit, they are refused). One encoder per depth, made at
    import, so that counting the depth costs nothing per value."""
    seq: Encode = _too_deep
    mapping: Encode = _too_deep
    if inner is not None:
        deeper = inner

        def seq(values: list[Any] | tuple[Any, ...]) -> str:
            return "[" + ",".join([deeper(item) for item in values]) + "]"

        def mapping(values: dict[Any, Any]) -> str:
            return "{" + ",".join([_key(k) + deeper(v) for k, v in values.items()]) + "}"

    encoders: dict[type, Encode] = {**_SCALARS, list: seq, tuple: seq, dict: mapping}

    def value(item: Any) -> str:
        encode = encoders.get(type(item))
        if encode is not None:
            return encode(item)
        # A subclass of the types above, as the client treats it; anything else as text.
        if isinstance(item, str):
            return _quote(item)
        if isinstance(item, list | tuple):
            return seq(item)
        if isinstance(item, dict):
            return mapping(item)
        text = str(stringify_param_value(item))
        if "\x00" in text:
            raise ParameterRefused(f"a {type(item).__name__} value holds a NUL character")
        return text

    return value


def _top_level() -> Encode:
    value = _level(None)
    for _depth in range(MAX_DEPTH):
        value = _level(value)
    return value


_value = _top_level()  # the encoder of a parameter's value


def params_header(params: Mapping[str, Any] | None) -> str:
    """``CYPHER `a`=1 `b`="x" `` for ``{"a": 1, "b": "x"}``; ``""`` when there are none.

    >>> params_header({"ids": ["a", 'say "hi"'], "n": 2, "flag": True, "none": None})
    'CYPHER `ids`=["a","say \\\\"hi\\\\""] `n`=2 `flag`=True `none`=null '
    >>> params_header({"id": "a\\x00b"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    graph.backends.falkordb_params.ParameterRefused: parameter 'id': a text value holds a NUL ...
    """
    if not params:
        return ""
    parts = ["CYPHER "]
    for key, value in params.items():
        name = str(key)
        if (problem := _name_problem(name)) is not None:
            raise ParameterRefused(f"the parameter name {name!r} {problem}")
        try:
            parts.append(f"`{name}`={_value(value)} ")
        except ParameterRefused as exc:
            raise ParameterRefused(f"parameter {name!r}: {exc}") from None
    return "".join(parts)
