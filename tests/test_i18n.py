"""Labels from gettext catalogs (English and German complete) and Babel formatting per plan locale."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mapgen import i18n
from mapgen.i18n import Localizer, available_languages, localizer
from mapgen.sheets import vocabulary
from mapgen.spec import Role, Side
from mapgen.view import State
from tests.conftest import ROOT

_CALL = re.compile(r"""(?<!\w)(?:_|gettext)\(\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*\)""")
_NCALL = re.compile(r"""ngettext\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)\"""")


def used_msgids() -> set[str]:
    """Every msgid the layouts and mapgen's Python code ask for, plus the label tables."""
    ids = {
        label
        for table in (
            i18n.STATE_LABELS,
            i18n.ROLE_LABELS,
            i18n.SIDE_LABELS,
            vocabulary.STATUS_LABELS,
            vocabulary.FLAG_LABELS,
            i18n.SECTION_TITLES,
            dict(enumerate(i18n.SIGNOFF_TEXT)),
        )
        for label in table.values()
    }
    files = [*ROOT.glob("layouts/**/*.j2"), *ROOT.glob("mapgen/**/*.py")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        ids |= {a or b for a, b in _CALL.findall(text)}
        ids |= {singular for singular, _ in _NCALL.findall(text)}
    return ids


def catalog(lang: str) -> dict[str, object]:
    from babel.messages.pofile import read_po

    path = i18n.LOCALES_DIR / lang / "LC_MESSAGES" / "mapgen.po"
    with path.open("rb") as handle:
        cat = read_po(handle)
    return {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in cat if m.id}


def test_english_german_and_japanese_ship() -> None:
    assert {"de", "en", "ja"} <= set(available_languages())


@pytest.mark.parametrize("lang", ["en", "de", "ja"])
def test_catalog_is_complete(lang: str) -> None:
    translated = catalog(lang)
    missing = sorted(m for m in used_msgids() if not translated.get(m))
    assert missing == []


@pytest.mark.parametrize("lang", available_languages())
def test_placeholders_survive_translation(lang: str) -> None:
    for msgid, msgstr in catalog(lang).items():
        strings = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        for s in strings:
            assert set(re.findall(r"%\(\w+\)s", s)) == set(re.findall(r"%\(\w+\)s", msgid)), msgid


def test_every_label_is_translated_in_german() -> None:
    de = localizer("de-DE", "Europe/Berlin")
    en = localizer("en-US", "UTC")
    for state in State:
        assert de.state_label(state) != en.state_label(state)
    assert de.role_label(Role.ECONOMIC_BUYER) == "Budgetverantwortung"
    assert de.side_label(Side.SELLER) == "Anbieter"
    assert de.section_title("signoff") == "Freigabe"
    assert en.state_label(State.DUE_SOON) == "Due soon"


def test_japanese_labels_without_plural_forms() -> None:
    ja = localizer("ja-JP", "Asia/Tokyo")
    assert ja.state_label(State.OVERDUE) == "期限超過"
    assert ja.ngettext("in %(n)s day", "in %(n)s days", 38) == "あと 38 日"


def test_regional_locale_falls_back_to_language_then_english() -> None:
    assert localizer("de-AT", "Europe/Vienna").state_label(State.DONE) == "Erledigt"
    assert localizer("fr-FR", "Europe/Paris").state_label(State.DONE) == "Done"


def test_localizer_is_cached() -> None:
    assert localizer("en-US", "UTC") is localizer("en-US", "UTC")
    assert isinstance(localizer("en-US", "UTC"), Localizer)


@pytest.mark.parametrize(
    ("locale", "medium", "long", "money", "percent", "number"),
    [
        ("en-US", "Mar 5, 2027", "March 5, 2027", "$180,000", "42%", "1,234.5"),
        ("de-DE", "05.03.2027", "5. März 2027", "180.000\xa0$", "42\xa0%", "1.234,5"),
        ("ja-JP", "2027/03/05", "2027年3月5日", "$180,000", "42%", "1,234.5"),
    ],
)
def test_formats_follow_the_plan_locale(
    locale: str, medium: str, long: str, money: str, percent: str, number: str
) -> None:
    l10n = localizer(locale, "UTC")
    assert l10n.format_date(date(2027, 3, 5)) == medium
    assert l10n.format_date(date(2027, 3, 5), "long") == long
    assert l10n.format_money(180000, "USD") == money
    assert l10n.format_percent(42) == percent
    assert l10n.format_number(1234.5) == number


def test_money_keeps_the_currency_digits_when_needed() -> None:
    en = localizer("en-US", "UTC")
    assert en.format_money(1234.5, "EUR") == "€1,234.50"
    assert en.format_money(24000000, "JPY") == "¥24,000,000"


def test_due_date_times_are_shown_in_the_plan_zone() -> None:
    l10n = localizer("en-US", "America/New_York")
    utc = datetime(2027, 1, 20, 19, 0, tzinfo=ZoneInfo("UTC"))
    assert l10n.format_due(utc) == "Jan 20, 2027, 2:00\u202fPM"
    assert l10n.format_due(date(2027, 1, 20)) == "Jan 20, 2027"
    assert l10n.format_due(None) == "—"


def test_plurals() -> None:
    en, de = localizer("en-US", "UTC"), localizer("de-DE", "UTC")
    assert en.ngettext("in %(n)s day", "in %(n)s days", 1) == "in 1 day"
    assert en.ngettext("in %(n)s day", "in %(n)s days", 1200) == "in 1,200 days"
    assert de.ngettext("in %(n)s day", "in %(n)s days", 2) == "in 2 Tagen"
