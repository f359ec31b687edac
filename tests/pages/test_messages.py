"""The catalogue: both languages complete, and placeholders that match."""

from __future__ import annotations

import string

import pytest

from broker.pages.i18n import LANGUAGES, translate
from broker.pages.messages import CATALOGUE


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def test_languages_have_the_same_keys() -> None:
    assert set(CATALOGUE) == set(LANGUAGES)
    assert set(CATALOGUE["nl"]) == set(CATALOGUE["en"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_texts(lang: str) -> None:
    empty = [key for key, text in CATALOGUE[lang].items() if not text.strip()]
    assert empty == []


def test_placeholders_match_and_are_simple_names() -> None:
    for key, nl_text in CATALOGUE["nl"].items():
        fields = _fields(nl_text)
        assert fields == _fields(CATALOGUE["en"][key]), key
        assert all(f.isidentifier() for f in fields), key


def test_translate_formats_and_escaping_is_left_to_jinja() -> None:
    text = translate("nl", "choose.intro", service="<b>Dienst</b>")
    assert text == "U logt in bij <b>Dienst</b>."


def test_translate_refuses_missing_keys_and_params() -> None:
    with pytest.raises(KeyError):
        translate("nl", "no.such.key")
    with pytest.raises(KeyError):
        translate("nl", "choose.intro")


def test_unknown_language_falls_back_to_dutch() -> None:
    assert translate("de", "choose.title") == "Kies hoe u wilt inloggen"
