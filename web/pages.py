"""The explorer's pages as HTML: one Jinja environment (autoescaped) for every page, the network
page's rendering, the JSON blocks their scripts read, and the static assets' folder.

Security: every piece of user text reaches the HTML either through Jinja autoescape or inside
the ``<script type="application/json">`` block written by :func:`script_json`, which cannot close
the script element.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from graph.analysis.roles import REASONS
from graph.models import Network
from web.appearance import format_score
from web.i18n import DEFAULT, LOCALES, SERVER_TEMPLATES, catalog, localized_number, translate
from web.network import build_network, view_data

TABLE_ROWS: Final = 100
_HERE: Final = Path(__file__).resolve().parent
_SCRIPT_ESCAPES: Final = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def static_dir() -> Path:
    """The folder of static assets (our CSS and JS, vendored vis-network) for the app to mount."""
    return _HERE / "static"


def script_json(value: object) -> Markup:
    """JSON for a ``<script type="application/json">`` block that no string can break out of.

    >>> str(script_json({"a": "</script>&"}))
    '{"a":"\\\\u003c/script\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for character, escape in _SCRIPT_ESCAPES:  # str.replace: 100x faster than str.translate
        text = text.replace(character, escape)
    return Markup(text)  # noqa: S704 - <, >, & are escaped above


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["score"] = format_score
    return environment


FILTERS: Final = ("topic", "role", "community", "min_score", "q", "since", "until")


def _filter_values(filters: Mapping[str, object] | None) -> dict[str, str]:
    """Every filter of the filter bar as text, empty when unset."""
    given = filters or {}
    return {key: "" if given.get(key) is None else str(given.get(key)) for key in FILTERS}


@cache
def _i18n_json(locale: str) -> Markup:
    """The catalogue the page's scripts read, made once per locale (32 KB in French)."""
    messages = {} if locale == DEFAULT else catalog(locale)
    patterns = [] if locale == DEFAULT else [*REASONS.values(), *SERVER_TEMPLATES]
    return script_json({"locale": locale, "messages": messages, "patterns": patterns})


def locale_context(locale: str) -> dict[str, Any]:
    """What every template needs to speak ``locale``: ``locale`` (for ``<html lang>`` and the
    switch), ``t``, ``score`` and ``integer`` (numbers as the language writes them) and the
    catalogue as JSON for the page's scripts."""
    chosen = locale if locale in LOCALES else DEFAULT

    def t(text: str, **params: object) -> str:
        return translate(chosen, text, **params)

    def score(value: float) -> str:
        return localized_number(format_score(value), chosen)

    def integer(value: int) -> str:
        return localized_number(f"{value:,}", chosen)

    return {
        "locale": chosen,
        "locales": LOCALES,
        "t": t,
        "score": score,
        "integer": integer,
        "i18n_json": _i18n_json(chosen),
    }


def render_page(template_name: str, *, locale: str = DEFAULT, **context: Any) -> str:
    """One of the explorer's other pages (``influencers.html``, ``overview.html``): static HTML
    whose script fills it from the JSON API, in ``locale``. ``static_url`` defaults to
    ``/static``."""
    context.update(locale_context(locale))
    context["static_url"] = str(context.get("static_url", "/static")).rstrip("/")
    context["filters"] = _filter_values(context.get("filters"))
    context.setdefault("roles", ())
    context.setdefault("window_notice", None)
    return _environment().get_template(template_name).render(**context)


def render_network_page(
    network: Network,
    *,
    title: str,
    static_url: str = "/static",
    csv_url: str = "/api/influencers.csv",
    api_url: str = "/api/influencers",
    filters: Mapping[str, object] | None = None,
    roles: tuple[str, ...] = (),
    focus: str | None = None,
    logged_in: bool = False,
    window_notice: str | None = None,
    locale: str = DEFAULT,
) -> str:
    """The explorer's network page as HTML: graph, top-influencer table, CSV download.

    Asset URLs are ``static_url`` + a path under :func:`static_dir`; the page references
    nothing outside ``static_url``, ``csv_url`` and ``api_url`` (its script calls the JSON API
    under ``/api``). ``filters`` (topic, role, community, min_score) are the ones the network
    was drawn with, shown in the filter bar; ``focus`` is a user id to select on load;
    ``logged_in`` shows the "Log out" button; ``window_notice`` says why the window asked
    for cannot be drawn (with a button that analyses it).
    """
    graph = build_network(network)
    chosen = _filter_values(filters)
    # External voices by rank; the brand's own accounts (never ranked) after them.
    ranked = sorted(network.nodes, key=lambda n: (n.is_brand, n.rank, n.handle))
    template = _environment().get_template("network.html")
    return template.render(
        title=title,
        static_url=static_url.rstrip("/"),
        csv_url=csv_url,
        api_url=api_url,
        graph_json=script_json(graph),
        view_json=script_json({**view_data(network, graph), "focus": focus, "filters": chosen}),
        filters=chosen,
        roles=roles,
        influencers=ranked[:TABLE_ROWS],
        node_count=len(network.nodes),
        edge_count=len(graph["edges"]),
        physics=graph["options"]["physics"]["enabled"],
        logged_in=logged_in,
        window_notice=window_notice,
        **locale_context(locale),
    )
