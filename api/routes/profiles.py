"""Scoring profiles on screen: list them, show every setting with its meaning, save a changed
copy as a new profile, compare two profiles' rankings; and the profile page (``/profiles``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.auth import AUTH_RESPONSES, TOKEN_REQUIRED, has_session
from api.deps import SettingsDep, StoreDep
from api.error_responses import BAD_INPUT, DOWN, ErrorOut
from api.params import NO_NUL
from api.routes.pages import LOGIN, page_locale
from api.run_schemas import MovementOut, RunOut, run_out
from graph.analysis.profile import BUILT_IN, NAME_PATTERN, Profile, list_profiles, load_profile
from graph.analysis.profile_fields import (
    FIELD_MEANINGS,
    GROUPS,
    derive_profile,
    describe_profile,
    save_new_profile,
)
from graph.analysis.roles import ROLE_ORDER
from graph.errors import NodeNotFound
from graph.models import AMPLIFICATION_KINDS
from graph.runs import movement
from graph.runs.profile_runs import compare_profiles
from graph.store import Store
from web.pages import render_page

router = APIRouter(prefix="/api/profiles", tags=["profiles"])
page_router = APIRouter(tags=["pages"])

ProfileName = Annotated[str, Path(pattern=NAME_PATTERN, description="the profile's name")]
NAMED = Query(pattern=NAME_PATTERN)
UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no profile of that name"}
}


class ProfileSummaryOut(BaseModel):
    name: str
    description: str
    builtin: bool = Field(description="ships with the app (default, recent)")
    in_use: bool = Field(description="the latest analysis was scored with it")


class ProfilesOut(BaseModel):
    in_use: str | None = Field(description="the latest analysis's profile (null: none yet)")
    groups: list[str] = Field(description="the settings' groups, in the page's order")
    items: list[ProfileSummaryOut]


class SettingOut(BaseModel):
    name: str
    group: str
    meaning: str
    value: Any
    default: Any = Field(description="the default profile's value")
    bounds: dict[str, float] = Field(description="minimum, above, maximum, below: those it has")


class ProfileOut(ProfileSummaryOut):
    settings: list[SettingOut]


def _changes_schema() -> dict[str, Any]:
    """What ``changes`` takes, said in the OpenAPI document: the profile's settings with their
    types and bounds (the body is validated by ``derive_profile``, which names what it
    refuses)."""
    fields = Profile.model_json_schema()["properties"]
    properties = {name: fields[name] for name in FIELD_MEANINGS}
    properties["kind_weights"] = {
        "type": "object",
        "properties": {kind: {"type": "number", "minimum": 0} for kind in AMPLIFICATION_KINDS},
        "additionalProperties": False,
    }
    return {"properties": properties, "additionalProperties": False}


class ProfileIn(BaseModel):
    name: str = Field(pattern=NAME_PATTERN, description="the new profile's name")
    description: str = Field(default="", max_length=200, pattern=NO_NUL)
    base: str = Field(default="default", pattern=NAME_PATTERN, description="the profile changed")
    changes: dict[str, Any] = Field(
        default_factory=dict,
        max_length=len(FIELD_MEANINGS),
        description="setting -> new value (kind_weights: kind -> weight, those changed)",
        json_schema_extra=_changes_schema(),
    )


class ProfileComparisonOut(BaseModel):
    first: RunOut = Field(description="the first profile's newest kept run")
    second: RunOut = Field(description="the second profile's newest kept run")
    items: list[MovementOut] = Field(
        description="the second profile's top N, each with its standing under the first"
    )


def _in_use(store: Store) -> str | None:
    latest = store.latest_analysis()
    return None if latest is None else str(latest.get("profile") or "") or None


def _profile_out(profile: Profile, in_use: str | None) -> ProfileOut:
    return ProfileOut(
        name=profile.name,
        description=profile.description,
        builtin=profile.name in BUILT_IN and BUILT_IN[profile.name] == profile,
        in_use=profile.name == in_use,
        settings=[SettingOut(**asdict(setting)) for setting in describe_profile(profile)],
    )


@router.get("", response_model=ProfilesOut, responses=DOWN, summary="Scoring profiles")
def profiles(store: StoreDep, settings: SettingsDep) -> ProfilesOut:
    """The built-in profiles, then the saved ones, and which one the latest analysis used."""
    in_use = _in_use(store)
    items = [
        ProfileSummaryOut(**_profile_out(p, in_use).model_dump(exclude={"settings"}))
        for p in list_profiles(settings.data_dir)
    ]
    return ProfilesOut(in_use=in_use, groups=list(GROUPS), items=items)


# Before /{profile}, which would take "compare" as a profile's name.
@router.get(
    "/compare",
    response_model=ProfileComparisonOut,
    responses={**DOWN, 409: {"model": ErrorOut, "description": "a profile with no kept run"}},
    summary="Compare two profiles' rankings",
)
def compare(
    store: StoreDep,
    first: Annotated[str, NAMED],
    second: Annotated[str, NAMED],
    top: Annotated[int, Query(ge=1, le=500)] = movement.TOP,
) -> ProfileComparisonOut:
    """Each profile's newest kept run; ``second``'s top ``top`` accounts with their rank,
    role and reasons under ``first`` (409 until both profiles have been analysed with)."""
    before, after, items = compare_profiles(store, first, second, top=top)
    return ProfileComparisonOut(
        first=run_out(before),
        second=run_out(after),
        items=[MovementOut.model_validate(item, from_attributes=True) for item in items],
    )


@router.get(
    "/{profile}", response_model=ProfileOut, responses={**DOWN, **UNKNOWN}, summary="A profile"
)
def profile(store: StoreDep, settings: SettingsDep, profile: ProfileName) -> ProfileOut:
    """Every setting of the profile with its meaning, bounds and the default's value."""
    known = {found.name: found for found in list_profiles(settings.data_dir)}
    if profile not in known:
        raise NodeNotFound("Profile", profile)
    return _profile_out(known[profile], _in_use(store))


@router.post(
    "",
    status_code=201,
    response_model=ProfileOut,
    responses={
        **BAD_INPUT,
        409: {"model": ErrorOut, "description": "a profile of that name exists"},
        **AUTH_RESPONSES,
    },
    dependencies=[TOKEN_REQUIRED],
    summary="Save a changed profile under a new name",
)
def save(store: StoreDep, settings: SettingsDep, body: ProfileIn) -> ProfileOut:
    """``base`` with ``changes``, saved as ``name`` (422 naming each setting out of bounds;
    409 when the name is taken). Analyse with it through ``POST /api/jobs/analyze``."""
    base = load_profile(body.base, settings.data_dir)
    description = body.description.strip() or f"{base.name}, changed: {', '.join(body.changes)}"
    made = derive_profile(base, body.name, description, body.changes)
    save_new_profile(made, settings.data_dir)
    return _profile_out(made, _in_use(store))


@page_router.get("/profiles", response_class=HTMLResponse, dependencies=[LOGIN])
def profiles_page(request: Request) -> HTMLResponse:
    """The criteria behind the ranking: the profile in use, every setting in words; change
    some and save them as a new profile, analyse with it, compare two profiles."""
    page = render_page(
        "profiles.html",
        title="Profiles",
        roles=ROLE_ORDER,
        logged_in=has_session(request),
        locale=page_locale(request),
    )
    return HTMLResponse(page)
