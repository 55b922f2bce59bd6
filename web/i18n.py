"""The pages in English and French: the locale of a request, and the catalogues.

One catalogue per locale, ``web/locales/<locale>.json``, maps each English text of the pages
(the key, with ``{name}`` placeholders) to its text in that locale; the templates call
``t("...")`` and the scripts ``Resonance.t("...")``, which read the same catalogue (embedded in
each page as JSON). ``tests/web/test_i18n.py`` fails when a key is in one catalogue and not the
other, or when a template or a script asks for a text no catalogue has.

The locale is the visitor's choice (the ``resonance_lang`` cookie, set by the switch on every
page), else the best of ``Accept-Language``, else English. The API's error messages stay
English (stable for scripts); the pages translate those they show.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Final

LOCALES: Final = ("en", "fr")
DEFAULT: Final = "en"
COOKIE: Final = "resonance_lang"
_FOLDER: Final = Path(__file__).resolve().parent / "locales"

#: Texts the server writes from templates and the pages show as they come (a job's progress,
#: a community's label; the reasons are ``graph.analysis.roles.REASONS``): the scripts match
#: them against these and translate them with the values they hold.
SERVER_TEMPLATES: Final = (
    "weighting {count} events",
    "communities and PageRank on {count} accounts",
    "ranking {count} events with the profile {profile}",
    "window {number}/{windows} ({start} to {end}): {step}",
    "{topics}, around {voice}",
    "around {voice}",
    "resonance ({profile})",
    # The API's errors the pages show most (graph/errors.py, the profiles, the runs, pydantic).
    "{label} {key} not found",
    "the embedded database is not reachable ({reason}); start it with `resonance db start` and "
    "check `resonance db status`",
    "a profile named {name} exists already: choose another name",
    "no kept run was scored with profile {quoted}: analyse with it first (`resonance analyze "
    "--profile {profile}`, or the profile page)",
    "profile {name} does not validate: {problems}",
    "comparing needs two runs and {kept} is kept: run another analysis (RESONANCE_KEEP_RUNS says "
    "how many are kept)",
    "comparing needs two runs and {kept} are kept: run another analysis (RESONANCE_KEEP_RUNS "
    "says how many are kept)",
    "Input should be greater than or equal to {limit}",
    "Input should be less than or equal to {limit}",
    "Input should be greater than {limit}",
    "Input should be less than {limit}",
    "String should have at most {limit} characters",
    "String should match pattern {pattern}",
    "{field}: {message}",  # last: a refused field and what is wrong with it
)


@cache
def catalog(locale: str) -> dict[str, str]:
    """The texts of ``locale`` by English key."""
    if locale not in LOCALES:
        raise ValueError(f"no catalogue for locale {locale!r}; locales are {list(LOCALES)}")
    data: dict[str, str] = json.loads((_FOLDER / f"{locale}.json").read_text(encoding="utf-8"))
    return data


def _weighted(header: str) -> list[tuple[float, int, str]]:
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        language, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        if language:
            ranges.append((-quality, position, language.strip().lower()))
    return sorted(ranges)


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The locale for a visitor who ``chosen`` one (the cookie) or sends ``accept_language``.

    >>> negotiate("fr-CA,fr;q=0.9,en;q=0.8")
    'fr'
    >>> negotiate("de-DE,en;q=0.5,fr;q=0.4")
    'en'
    >>> negotiate("fr", chosen="en"), negotiate(None), negotiate("*")
    ('en', 'en', 'en')
    """
    if chosen in LOCALES:
        return str(chosen)
    for quality, _, language in _weighted(accept_language or ""):
        primary = language.split("-")[0]
        if quality < 0 and primary in LOCALES:
            return primary
    return DEFAULT


def translate(locale: str, text: str, **params: object) -> str:
    """``text`` in ``locale`` (itself where the catalogue lacks it), its ``{name}``s filled.

    >>> translate("fr", "Profiles")
    'Profils'
    >>> translate("en", "Top {count} voices by amplification", count=3)
    'Top 3 voices by amplification'
    """
    found = catalog(locale).get(text, text)
    return found.format(**params) if params else found


def localized_number(text: str, locale: str) -> str:
    """A number written the English way (``12,346.5``) as ``locale`` writes it: French groups
    thousands with a narrow no-break space and marks decimals with a comma, as the browsers'
    ``Intl`` does.

    >>> localized_number("12,346.5", "fr"), localized_number("0.0123", "en")
    ('12\u202f346,5', '0.0123')
    """
    if locale != "fr":
        return text
    return text.replace(",", "\u202f").replace(".", ",")
