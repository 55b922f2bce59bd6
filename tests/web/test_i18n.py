"""French and English: the two catalogues hold the same texts, every text the pages ask for is
in them, and a page speaks the visitor's language (the switch's cookie, else Accept-Language),
on the real app and database."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.profile import BUILT_IN
from graph.analysis.profile_fields import FIELD_MEANINGS
from graph.analysis.roles import REASONS, ROLE_ORDER
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.console.saved_queries import BUILTIN_QUERIES
from tests.support.api_client import api_client
from web.i18n import COOKIE, LOCALES, SERVER_TEMPLATES, catalog, negotiate, translate

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
STRING = r'"((?:[^"\\]|\\.)*)"'


def _asked() -> dict[str, str]:
    """Every text a template (``t("...")``), a script (``R.t("...")``, ``R.plural``) or a route
    (``translate(locale, "...")``, a page's ``title="..."``) asks for, with where."""
    found: dict[str, str] = {}
    sources = [
        *((path, rf"\bt\({STRING}") for path in (ROOT / "web" / "templates").glob("*.html")),
        *((path, rf"\bR\.t\({STRING}") for path in (ROOT / "web" / "static").glob("*.js")),
        (ROOT / "web" / "static" / "common.js", rf"(?<![.\w])t\({STRING}"),
        *((path, rf"translate\(\s*locale,\s*{STRING}") for path in (ROOT / "api").rglob("*.py")),
        *((path, rf"\btitle={STRING}") for path in (ROOT / "api" / "routes").glob("*.py")),
        *((path, rf"\berror={STRING}") for path in (ROOT / "api" / "routes").glob("*.py")),
    ]
    for path, pattern in sources:
        for text in re.findall(pattern, path.read_text(encoding="utf-8")):
            found.setdefault(text, str(path.relative_to(ROOT)))
    plural = re.compile(rf"\bR\.plural\([^,]+,\s*{STRING},\s*{STRING}")
    for path in (ROOT / "web" / "static").glob("*.js"):
        for texts in plural.findall(path.read_text(encoding="utf-8")):
            for text in texts:
                found.setdefault(text, str(path.relative_to(ROOT)))
    # Texts the pages translate from the API's data: roles, settings' meanings, built-in
    # profiles and targeting queries.
    for text in [
        *(role.replace("_", " ") for role in ROLE_ORDER),
        *(meaning for _, meaning in FIELD_MEANINGS.values()),
        *(profile.description for profile in BUILT_IN.values()),
        *(query[field] for query in BUILTIN_QUERIES for field in ("label", "description")),
        *REASONS.values(),
        *SERVER_TEMPLATES,
    ]:
        found.setdefault(text, "the API's data")
    return found


def test_the_catalogues_hold_the_same_texts_with_the_same_placeholders() -> None:
    english, french = catalog("en"), catalog("fr")
    assert set(english) == set(french), {
        "only in en": sorted(set(english) - set(french)),
        "only in fr": sorted(set(french) - set(english)),
    }
    for key in english:
        wanted = set(PLACEHOLDER.findall(key))
        assert set(PLACEHOLDER.findall(english[key])) == wanted, key
        assert set(PLACEHOLDER.findall(french[key])) == wanted, key
        assert french[key].strip(), key


def test_every_text_asked_for_is_in_the_catalogues() -> None:
    asked = _asked()
    assert len(asked) > 100
    missing = {text: where for text, where in asked.items() if text not in catalog("fr")}
    assert missing == {}


def test_the_catalogue_files_are_sorted_json() -> None:
    for locale in LOCALES:
        path = ROOT / "web" / "locales" / f"{locale}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        assert list(data) == sorted(data), f"{path.name}: keep the keys sorted"


@pytest.mark.parametrize(
    ("header", "cookie", "locale"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", None, "fr"),
        ("en-GB,en;q=0.9,fr;q=0.8", None, "en"),
        ("de;q=1,fr;q=0.7,en;q=0.3", None, "fr"),
        ("fr;q=0", None, "en"),
        ("fr", "en", "en"),
        ("en", "fr", "fr"),
        ("fr", "xx", "fr"),
        ("", None, "en"),
        ("garbage;q=abc,,", None, "en"),
    ],
)
def test_the_locale_is_the_choice_else_accept_language(
    header: str, cookie: str | None, locale: str
) -> None:
    assert negotiate(header, cookie) == locale


def test_translate_fills_placeholders_and_falls_back_to_english() -> None:
    assert translate("fr", "Profile {name}", name="x") == "Profil x"
    assert translate("fr", "A text no catalogue has") == "A text no catalogue has"


@pytest.fixture
def client(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(RESONANCE_DATA_DIR=tmp_path), backend=falkordb)
    with api_client(app) as test_client:
        yield test_client


def test_a_page_speaks_the_visitors_language(client: TestClient) -> None:
    french = client.get("/profiles", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text
    assert '<html lang="fr">' in french
    assert ">Profils</a>" in french and ">Réseau</a>" in french
    assert 'data-lang="fr" lang="fr" aria-pressed="true"' in french
    assert "Enregistrer comme nouveau profil" in french
    block = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', french)
    assert block is not None
    embedded = json.loads(block.group(1))
    assert embedded["locale"] == "fr" and embedded["messages"]["Profiles"] == "Profils"

    english = client.get("/profiles", headers={"Accept-Language": "en-US"}).text
    assert '<html lang="en">' in english and ">Profiles</a>" in english
    client.cookies.set(COOKIE, "en")
    chosen = client.get("/profiles", headers={"Accept-Language": "fr"}).text
    assert '<html lang="en">' in chosen  # the switch's choice wins
    client.cookies.set(COOKIE, "fr")
    network = client.get("/", headers={"Accept-Language": "en"}).text
    assert '<html lang="fr">' in network and "premières voix par amplification" in network
