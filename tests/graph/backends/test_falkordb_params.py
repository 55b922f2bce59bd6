"""``params_header`` against the falkordb client's own header builder, and through the server."""

from __future__ import annotations

import string
from collections.abc import Iterator
from typing import Any

import pytest
from falkordb import FalkorDB
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.backends.falkordb_params import MAX_DEPTH, ParameterRefused, params_header
from graph.errors import InvalidQuery
from graph.server import ServerInfo
from graph.store import Store

IDENTIFIER = st.text(string.ascii_letters + "_", min_size=1, max_size=1).flatmap(
    lambda first: st.text(string.ascii_letters + string.digits + "_", max_size=8).map(
        lambda rest: first + rest
    )
)
TEXT = st.one_of(
    st.text(st.characters(exclude_characters="\x00")),  # a NUL is refused: see below
    st.sampled_from(["", "'", '"', "\\", '\\"', "\\\\", "a\nb", "😀", "é", '"; DROP x //']),
    st.text(alphabet=st.sampled_from(['"', "\\", "'", "`", "\n", "a", "ü", "🙂"])),
)
SCALARS = st.one_of(
    TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(IDENTIFIER, inner, max_size=4),
    ),
    max_leaves=12,
)
PARAMS = st.dictionaries(IDENTIFIER, VALUES, min_size=1, max_size=5)


@pytest.fixture(scope="module")
def client_graph(server: ServerInfo) -> Iterator[Any]:
    """A real ``falkordb.Graph`` of the client, to call its ``_build_params_header``."""
    client = FalkorDB(host=server.host, port=server.port, password=server.password)
    yield client.select_graph("params_header_reference")
    client.connection.close()


@settings(max_examples=150, deadline=None)
@given(params=PARAMS)
def test_header_equals_the_clients_byte_for_byte(client_graph: Any, params: dict[str, Any]) -> None:
    expected = client_graph._build_params_header(params)
    assert isinstance(expected, str)
    assert params_header(params) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"s": ""},
        {"s": 'say "hi" \\ back'},
        {"n": -(2**63), "m": 2**63 - 1},
        {"f": 1e16, "g": -0.0, "h": 5e-324, "i": 0.1},
        {"t": True, "u": False, "z": None},
        {"l": [], "d": {}, "nested": [{"a": [1, "x", None]}, ("t", 2.5)]},
        {"k": {"@type": 1, "hyphen-key": "v", "with space": [True]}},
    ],
)
def test_header_equals_the_clients_on_chosen_values(
    client_graph: Any, params: dict[str, Any]
) -> None:
    assert params_header(params) == client_graph._build_params_header(params)


def test_no_parameters_give_no_header() -> None:
    assert params_header(None) == ""
    assert params_header({}) == ""


@pytest.mark.parametrize("name", ["", "a`b", "`"])
def test_bad_parameter_names_raise_value_error(client_graph: Any, name: str) -> None:
    with pytest.raises(ValueError):
        client_graph._build_params_header({name: 1})
    with pytest.raises(ParameterRefused, match="the parameter name"):
        params_header({name: 1})


@pytest.mark.parametrize("key", ["", "b`c"])
def test_bad_map_keys_raise_value_error(client_graph: Any, key: str) -> None:
    with pytest.raises(ValueError):
        client_graph._build_params_header({"m": {key: 1}})
    with pytest.raises(ParameterRefused, match="parameter 'm': the map key"):
        params_header({"m": {key: 1}})
    with pytest.raises(ParameterRefused):
        params_header({"m": [1, {"ok": {key: 1}}]})


AWKWARD = [
    "'",
    '"',
    "\\",
    "\\\\",
    '\\"',
    "a\nb",
    "tab\there\r\n",
    "😀 emoji",
    "<img src=x onerror=alert(1)>",
    "",
    "' RETURN 1 //",
    '" }) MATCH (n) DETACH DELETE n //',
    "`backtick`",
]


@pytest.mark.parametrize("value", AWKWARD)
def test_awkward_strings_round_trip_through_the_server(falkor_store: Store, value: str) -> None:
    rows = falkor_store.read("RETURN $v AS v", {"v": value})
    assert rows == [{"v": value}]
    columns = falkor_store.read_columns("RETURN $v AS v", {"v": value})
    assert columns == {"v": [value]}


@pytest.mark.parametrize(
    "value",
    [
        0,
        -(2**63),
        2**63 - 1,
        1.5,
        -0.25,
        1e16,
        True,
        False,
        None,
        [],
        AWKWARD,
        [1, ["x", None, [True, 2.5]]],
    ],
)
def test_other_values_round_trip_through_the_server(falkor_store: Store, value: Any) -> None:
    rows = falkor_store.read("RETURN $v AS v", {"v": value})
    assert rows == [{"v": value}]
    assert type(rows[0]["v"]) is type(value)


def test_maps_round_trip_through_the_server(falkor_store: Store) -> None:
    value = {"quote": '"', "list": ["\\", "😀"], "n": 3, "inner": {"ok": None}}
    rows = falkor_store.read("RETURN $v AS v", {"v": value})
    assert rows[0]["v"] == value


def test_a_string_parameter_cannot_escape_into_the_query(falkor_store: Store) -> None:
    falkor_store.write("CREATE (:Marker {id: 'kept'})")
    hostile = 'x"}) WITH 1 AS one MATCH (m:Marker) DETACH DELETE m RETURN 1 AS v //'
    assert falkor_store.read("RETURN $v AS v", {"v": hostile}) == [{"v": hostile}]
    assert falkor_store.read("MATCH (m:Marker) RETURN m.id AS id") == [{"id": "kept"}]


@pytest.mark.parametrize("params", [{"": 1}, {"a`b": 1}, {"v": {"x`y": 1}}, {"v": [{"": 2}]}])
def test_bad_parameter_names_are_refused_before_the_server(
    falkor_store: Store, params: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        falkor_store.read("RETURN 1 AS v", params)
    with pytest.raises(ValueError):
        falkor_store.read_columns("RETURN 1 AS v", params)
    with pytest.raises(ValueError):
        falkor_store.write("RETURN 1 AS v", params)


def test_refusals_are_invalid_queries_and_value_errors() -> None:
    """``ValueError`` as the client's refusal; ``InvalidQuery`` so that the API answers 422 in
    words (a ``ValueError`` was a 500)."""
    assert issubclass(ParameterRefused, InvalidQuery) and issubclass(ParameterRefused, ValueError)


def _nested(depth: int) -> object:
    value: object = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def test_nesting_up_to_the_limit_is_the_clients(client_graph: Any) -> None:
    params = {"deep": _nested(MAX_DEPTH), "wide": [_nested(MAX_DEPTH - 1)] * 3}
    assert params_header(params) == client_graph._build_params_header(params)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
def test_nesting_past_the_limit_is_refused(depth: int) -> None:
    """Was a RecursionError (a 500) for a deep enough value: the header is built recursively."""
    with pytest.raises(ParameterRefused, match=f"parameter 'v': .* deeper than {MAX_DEPTH}"):
        params_header({"v": _nested(depth)})


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"v": "a\x00b"}, "parameter 'v': a text value holds a NUL"),
        ({"v": ["ok", {"k": ["\x00"]}]}, "parameter 'v': a text value holds a NUL"),
        ({"v": {"a\x00": 1}}, "parameter 'v': the map key 'a\\x00' holds a NUL"),
        ({"a\x00": 1}, "the parameter name 'a\\x00' holds a NUL"),
    ],
)
def test_a_nul_is_refused_in_words(params: dict[str, Any], where: str) -> None:
    """Was FalkorDB's parse error: the server reads the query as C text, so a NUL cuts it short
    (and its string literals have no escape for one, ``\\u0000`` stays six characters)."""
    with pytest.raises(ParameterRefused) as refused:
        params_header(params)
    assert str(refused.value).startswith(where)


def test_a_nul_is_refused_before_the_server(falkor_store: Store) -> None:
    with pytest.raises(ParameterRefused, match="NUL"):
        falkor_store.read("RETURN $v AS v", {"v": "a\x00b"})
    with pytest.raises(ParameterRefused, match="NUL"):
        falkor_store.read_columns("RETURN $v AS v", {"v": ["a\x00b"]})
    with pytest.raises(ParameterRefused, match="NUL"):
        falkor_store.write("RETURN $v AS v", {"v": {"k": "\x00"}})


def test_keys_that_are_equal_but_not_alike_are_the_clients(client_graph: Any) -> None:
    """Was the cached name of ``True`` for a later key ``1`` (equal, and alike to a dict)."""
    for params in ({"m": {True: 1}}, {"m": {1: 1}}, {"m": {1.0: 1}}, {"m": {"1": 1}}):
        assert params_header(params) == client_graph._build_params_header(params)


def test_subclasses_are_encoded_as_the_client_does(client_graph: Any) -> None:
    class Text(str):
        pass

    class Items(list[Any]):
        pass

    params = {"t": Text('say "hi"'), "l": Items([1, Text("x")]), "e": {"k": Items()}}
    assert params_header(params) == client_graph._build_params_header(params)
    with pytest.raises(ParameterRefused, match="NUL"):
        params_header({"t": Text("\x00")})
