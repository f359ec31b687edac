"""Which language a page is shown in, and looking up its texts.

Dutch is the default. An explicit choice (``?lang=en``, then the ``lang`` cookie) always wins;
the browser's Accept-Language only switches to English when it ranks English above Dutch, so
a Dutch visitor with an English-language browser still gets Dutch unless they ask otherwise.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Final

from starlette.requests import HTTPConnection

from broker.pages.messages import CATALOGUE

LANGUAGES: Final[tuple[str, ...]] = ("nl", "en")
DEFAULT_LANGUAGE: Final = "nl"
LANG_PARAM: Final = "lang"
LANG_COOKIE: Final = "lang"
#: Each language's name written in that language, for the language switch.
LANGUAGE_NAMES: Final[Mapping[str, str]] = {"nl": "Nederlands", "en": "English"}

Translator = Callable[..., str]

_formatter = string.Formatter()


def requested_language(conn: HTTPConnection) -> str | None:
    """The language named in ``?lang=``, if it is one we support (else ``None``)."""
    value = conn.query_params.get(LANG_PARAM, "").strip().lower()
    return value if value in LANGUAGES else None


def locale_for(conn: HTTPConnection) -> str:
    """The page language: ``?lang=``, else the ``lang`` cookie, else Accept-Language, else nl."""
    chosen = requested_language(conn)
    if chosen is not None:
        return chosen
    cookie = conn.cookies.get(LANG_COOKIE, "").strip().lower()
    if cookie in LANGUAGES:
        return cookie
    return language_from_accept(conn.headers.get("accept-language", ""))


def language_from_accept(header: str) -> str:
    """``en`` only when the header ranks some English strictly above any Dutch; else ``nl``.

    A malformed quality value counts as 0 so a broken header can never force English.
    """
    best = {"nl": 0.0, "en": 0.0}
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary not in best:
            continue
        quality = 1.0
        params = params.strip()
        if params:
            name, _, value = params.partition("=")
            try:
                quality = float(value) if name.strip().lower() == "q" else 0.0
            except ValueError:
                quality = 0.0
        if 0.0 <= quality <= 1.0:
            best[primary] = max(best[primary], quality)
    return "en" if best["en"] > best["nl"] else DEFAULT_LANGUAGE


def translate(lang: str, key: str, /, **params: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` placeholders filled in.

    Returns plain text: HTML escaping is Jinja's job (autoescape), so a parameter can never
    inject markup. Unknown keys raise ``KeyError`` so a missing text fails a test, not a user.
    Only simple ``{name}`` fields are accepted; attribute or index lookups in a message are
    refused so a catalogue entry cannot reach into a parameter's internals.
    """
    template = CATALOGUE[lang if lang in CATALOGUE else DEFAULT_LANGUAGE][key]
    for _literal, field, _spec, _conversion in _formatter.parse(template):
        if field is not None and not field.isidentifier():
            raise ValueError(f"message {key!r} has a non-simple placeholder {field!r}")
    return template.format_map({name: str(value) for name, value in params.items()})


def translator(lang: str) -> Translator:
    """A ``_(key, **params)`` bound to one language, for templates and handlers."""

    def _(key: str, /, **params: object) -> str:
        return translate(lang, key, **params)

    return _
