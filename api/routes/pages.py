"""The explorer's pages, rendered by ``web``: the network, the influencer table, the overview,
the kept runs, the shortlists and the Cypher console; and, when ``RESONANCE_API_TOKEN`` is set,
the login that they all need (``/login`` sets the session cookie of :mod:`api.auth`,
``/logout`` clears it)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.analysis_window import WINDOW_RESPONSES
from api.auth import (
    OTHER_ORIGIN,
    SESSION_COOKIE,
    SESSION_TTL_S,
    authenticated,
    has_session,
    issue_session,
    origin_matches,
    read_session,
    redirect,
    token_matches,
)
from api.deps import LeaderboardDep, StoreDep
from api.influencer_filters import FiltersDep
from api.session_revocations import revocations_for
from graph.analysis.roles import ROLE_ORDER
from graph.config import Settings
from graph.console.saved_queries import SavedQueries
from graph.explorer.network import top_network
from graph.models import Network
from graph.runs import movement
from web.i18n import COOKIE, negotiate, translate
from web.pages import render_network_page, render_page, script_json

router = APIRouter(tags=["pages"])
INVALID_OUT: Final = "#/components/schemas/InvalidOut"

Focus = Annotated[str | None, Query(max_length=200, description="user id to select on load")]
NextPath = Annotated[str, Query(alias="next", description="the page to open after logging in")]
MAX_NEXT: Final = 2000
# The login page is never cached (nor framed: ``api.security_headers`` forbids that on every
# response, which a meta CSP cannot say).
LOGIN_HEADERS: Final = {"Cache-Control": "no-store"}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def safe_next(value: str | None) -> str:
    r"""``value`` when it is a path on this site, else ``/``: never another host, so ``/login``
    cannot be made to redirect anywhere else (``//host``, ``/\host``, ``https://host``).

    >>> [safe_next(v) for v in ("/console?x=1", "//evil.example", "/\\evil", "https://e.x", "")]
    ['/console?x=1', '/', '/', '/', '/']
    """
    if not value or len(value) > MAX_NEXT or not value.startswith("/"):
        return "/"
    if value.startswith("//") or any(c == "\\" or ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        return "/"
    return value


def login_location(path: str, query: str) -> str:
    """Where a visitor who has not logged in is sent: ``/login``, then back to ``path?query``
    (:func:`safe_next`).

    >>> login_location("/console", "q=1")
    '/login?next=%2Fconsole%3Fq%3D1'
    """
    target = path + (f"?{query}" if query else "")
    return "/login?" + urlencode({"next": safe_next(target)})


def require_login(request: Request) -> None:
    """Pages: with a token set, a visitor who has not logged in is sent to ``/login``."""
    if not authenticated(request, _settings(request)):
        location = login_location(request.url.path, request.url.query)
        raise HTTPException(303, "log in first", headers={"Location": location})


LOGIN = Depends(require_login)


@router.get(
    "/",
    response_class=HTMLResponse,
    dependencies=[LOGIN],
    # Another window is drawn as an empty network with a notice, never a 409; bad input gets
    # the API's JSON 422 (the route's own media type is HTML).
    responses={
        422: {
            "description": WINDOW_RESPONSES[422]["description"],
            "content": {"application/json": {"schema": {"$ref": INVALID_OUT}}},
        }
    },
)
def network_page(
    request: Request,
    store: StoreDep,
    leaderboard: LeaderboardDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 150,
    focus: Focus = None,
) -> HTMLResponse:
    """The network of the top influencers (filtered like ``/api/influencers``), sized by score.
    Asked for a window the latest analysis does not cover, it draws nothing and says so, with
    a button that analyses that window."""
    notice = None
    try:
        filters.check_window(store)
    except HTTPException as refused:
        if refused.status_code != 409:
            raise
        notice = str(refused.detail)
    network = (
        Network(nodes=[], edges=[])
        if notice is not None
        else top_network(store, filters.query(store), limit=limit, leaderboard=leaderboard)
    )
    locale = page_locale(request)
    if filters.wanted.topic is None:
        title = translate(locale, "Top {count} voices by amplification", count=len(network.nodes))
    else:
        title = translate(
            locale,
            "Top {count} voices by amplification on {topic}",
            count=len(network.nodes),
            topic=filters.wanted.topic,
        )
    page = render_network_page(
        network,
        title=title,
        filters=filters.shown(),
        roles=ROLE_ORDER,
        focus=focus,
        logged_in=has_session(request),
        window_notice=notice,
        locale=locale,
    )
    return HTMLResponse(page)


def page_locale(request: Request) -> str:
    """The language of the pages for this visitor: the switch's cookie, else Accept-Language."""
    return negotiate(request.headers.get("accept-language"), request.cookies.get(COOKIE))


def _page(request: Request, template: str, **context: object) -> HTMLResponse:
    page = render_page(
        template,
        roles=ROLE_ORDER,
        logged_in=has_session(request),
        locale=page_locale(request),
        **context,
    )
    return HTMLResponse(page)


@router.get("/influencers", response_class=HTMLResponse, dependencies=[LOGIN])
def influencers_page(request: Request) -> HTMLResponse:
    """The ranked influencers as a sortable, filterable table with a CSV download."""
    return _page(request, "influencers.html", title="Influencers")


@router.get("/overview", response_class=HTMLResponse, dependencies=[LOGIN])
def overview_page(request: Request) -> HTMLResponse:
    """Topics by communities, the score distribution and the role counts."""
    return _page(request, "overview.html", title="Overview")


@router.get("/runs", response_class=HTMLResponse, dependencies=[LOGIN])
def runs_page(request: Request) -> HTMLResponse:
    """The kept runs; two of them compared (the later run's top N with their earlier standing)
    and the voices that rose most between them."""
    return _page(
        request,
        "runs.html",
        title="Runs",
        top=movement.TOP,
        risers=movement.RISERS,
        min_audience=movement.MIN_AUDIENCE,
    )


@router.get("/shortlists", response_class=HTMLResponse, dependencies=[LOGIN])
def shortlists_page(request: Request) -> HTMLResponse:
    """The shortlists; one opened shows its members with editable notes and tags, and a CSV."""
    return _page(request, "shortlists.html", title="Shortlists")


@router.get("/console", response_class=HTMLResponse, dependencies=[LOGIN])
def console_page(request: Request, store: StoreDep) -> HTMLResponse:
    """Read-only Cypher: a query, its parameters, the rows as a table and their graph; the
    saved targeting queries (the built-in ones first) to start from."""
    saved = [asdict(query) for query in SavedQueries(store).list()]
    return _page(
        request,
        "console.html",
        title="Console",
        examples=saved,
        examples_json=script_json(saved),
    )


def _login_form(
    request: Request, next_path: str, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    locale = page_locale(request)
    shown = None if error is None else translate(locale, error)
    page = render_page(
        "login.html", title="Log in", next_path=next_path, error=shown, locale=locale
    )
    return HTMLResponse(page, status_code=status, headers=LOGIN_HEADERS)


@router.get(
    "/login", response_class=HTMLResponse, response_model=None,
    responses={303: redirect("straight on to next: no token is set, or already logged in")},
)  # fmt: skip
def login_page(request: Request, next_path: NextPath = "/") -> Response:
    """The form asking for the API token; straight on to ``next`` when there is nothing to do
    (no token set, or already logged in)."""
    target = safe_next(next_path)
    if _settings(request).api_token is None or has_session(request):
        return RedirectResponse(target, status_code=303)
    return _login_form(request, target)


@router.post(
    "/login", status_code=303, response_class=Response, response_model=None,
    responses={
        303: redirect("on to next with the session cookie set (or no token is set)"),
        401: {"description": "the token is wrong: the form again, with the error",
              "content": {"text/html": {"schema": {"type": "string"}}}},
        403: OTHER_ORIGIN,
    },
)  # fmt: skip
def login(
    request: Request,
    token: Annotated[str, Form(description="the API token")] = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Check the token; right: set the session cookie and go on to ``next`` (303); wrong: the
    form again with the error (401)."""
    target = safe_next(next_path)
    expected = _settings(request).api_token
    if expected is None:
        return RedirectResponse(target, status_code=303)
    if not origin_matches(request):
        raise HTTPException(403, "cross-origin login refused")
    if not token_matches(token.strip(), expected):
        return _login_form(request, target, error="That is not the API token.", status=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issue_session(expected),
        max_age=SESSION_TTL_S,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


@router.post(
    "/logout", status_code=303, response_class=Response, response_model=None,
    responses={303: redirect("on to /login, the session cookie cleared"), 403: OTHER_ORIGIN},
)  # fmt: skip
def logout(request: Request) -> Response:
    """Revoke the session (for every worker: a copy of the cookie dies too), clear the cookie
    and go to ``/login``."""
    if not origin_matches(request):
        raise HTTPException(403, "cross-origin logout refused")
    settings = _settings(request)
    if settings.api_token is not None:
        session = read_session(request.cookies.get(SESSION_COOKIE), settings.api_token)
        if session is not None:
            revocations_for(settings.data_dir).revoke(session.id, session.expires)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response
