"""Built-in labels through gettext catalogs, and Babel formatting for the plan's locale and zone.

Catalogs are plain `.po` files under mapgen/locales/<lang>/LC_MESSAGES/mapgen.po, read at run time
with Babel and compiled in memory (no build step, no .mo files to keep in sync): adding a language
is adding one file. A locale such as `de-AT` uses `de_AT`, then `de`, then the English msgids.
Every format gets its labels and its formatted dates, numbers and money from here, so a date reads
the same in the PDF, the DOCX, the HTML and the email.
"""

from __future__ import annotations

import gettext as _gettext
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from mapgen.spec import Role, Side
from mapgen.view import ActionView, State

if TYPE_CHECKING:
    from babel import Locale

    from mapgen.view import PlanView

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "mapgen"

STATE_LABELS: dict[State, str] = {
    State.DONE: "Done",
    State.ON_TRACK: "On track",
    State.DUE_SOON: "Due soon",
    State.OVERDUE: "Overdue",
    State.STALLED: "Stalled",
    State.BLOCKED: "Blocked",
}
ROLE_LABELS: dict[Role, str] = {
    Role.CHAMPION: "Champion",
    Role.ECONOMIC_BUYER: "Economic buyer",
    Role.DECISION_MAKER: "Decision maker",
    Role.TECHNICAL_EVALUATOR: "Technical evaluator",
    Role.LEGAL: "Legal",
    Role.PROCUREMENT: "Procurement",
    Role.SECURITY: "Security",
    Role.END_USER: "End user",
    Role.EXECUTIVE_SPONSOR: "Executive sponsor",
    Role.ACCOUNT_EXECUTIVE: "Account executive",
    Role.SALES_ENGINEER: "Sales engineer",
    Role.CUSTOMER_SUCCESS: "Customer success",
    Role.OTHER: "Other",
}
SIDE_LABELS: dict[Side, str] = {Side.BUYER: "Buyer", Side.SELLER: "Seller"}
SECTION_TITLES: dict[str, str] = {
    "cover": "Overview",
    "changes": "What changed",
    "summary": "Summary",
    "objectives": "Objectives",
    "timeline": "Timeline",
    "actions": "Actions",
    "responsibilities": "Responsibilities",
    "stakeholders": "Stakeholders",
    "metrics": "Success metrics",
    "signoff": "Sign-off",
    "progress": "Progress",
    "next_milestones": "Next milestones",
    "next_actions": "Next actions",
    "key_dates": "Key dates",
}
"""Every built-in label that is not written literally in a template (templates call `_()` with the English text)."""

SIGNOFF_TEXT: tuple[str, ...] = (
    "By signing, each signatory confirms that revision %(revision)s of this plan, with the fingerprint "
    "%(fingerprint)s, sets out the objectives, actions, owners and dates that %(buyer)s and %(seller)s "
    "work to.",
    "This is a shared working plan, not a contract: it does not amend or replace any agreement between "
    "%(buyer)s and %(seller)s.",
    "Any change is made in a later revision with its own number and fingerprint; %(seller)s shares it "
    "with every stakeholder and it is signed again. A signature applies only to the revision and "
    "fingerprint shown here.",
)
"""The one sign-off text (DESIGN: one text, many formats), one msgid per paragraph: the PDF, the
HTML page and the DOCX all print `Localizer.signoff_text`, so buyer counsel reads one wording."""


def available_languages() -> list[str]:
    """Catalog names shipped with mapgen, such as ['de', 'en']."""
    return sorted(p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@cache
def _translations(name: str) -> _gettext.NullTranslations | None:
    """The compiled catalog for one catalog name (`de`, `de_AT`), or None when there is none."""
    path = LOCALES_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return None
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=name, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def translations_for(locale: Locale) -> _gettext.NullTranslations:
    """The most specific catalog for `locale`, falling back to English msgids."""
    names = [f"{locale.language}_{locale.territory}" if locale.territory else "", locale.language]
    for name in names:
        found = _translations(name) if name else None
        if found is not None:
            return found
    return _gettext.NullTranslations()


class Localizer:
    """Labels and formatting for one plan locale and time zone."""

    def __init__(self, locale: str, timezone: str) -> None:
        from zoneinfo import ZoneInfo

        from babel import Locale

        self.locale = locale
        """The plan's BCP 47 tag, for `<html lang>`."""
        self.babel_locale: Locale = Locale.parse(locale, sep="-")
        self.timezone = timezone
        self.tzinfo = ZoneInfo(timezone)
        self.direction: str = self.babel_locale.text_direction or "ltr"
        self._translations = translations_for(self.babel_locale)

    def gettext(self, msgid: str) -> str:
        return self._translations.gettext(msgid)

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The plural form for `n`; `%(n)s` in the message is replaced by the formatted number."""
        return self._translations.ngettext(singular, plural, n) % {"n": self.format_number(n)}

    def format_date(self, value: date, fmt: str = "medium") -> str:
        """`fmt` is short, medium, long or full (or a CLDR skeleton such as MMMd)."""
        from babel.dates import format_date, format_skeleton

        if fmt in ("short", "medium", "long", "full"):
            return format_date(value, fmt, locale=self.babel_locale)
        return format_skeleton(fmt, value, locale=self.babel_locale)

    def format_datetime(self, value: datetime, fmt: str = "medium") -> str:
        """Date in `fmt` and time without seconds, in the plan's zone, joined the locale's way."""
        from babel.dates import format_datetime

        loc = self.babel_locale
        date_pattern = loc.date_formats[fmt].pattern
        time_pattern = loc.time_formats["short"].pattern
        pattern = str(loc.datetime_formats[fmt]).replace("{1}", date_pattern).replace("{0}", time_pattern)
        return format_datetime(value, pattern, tzinfo=self.tzinfo, locale=loc)

    def format_due(self, value: date | datetime | None, fmt: str = "medium") -> str:
        """A due date as the plan wrote it: a day, or a day and time; an em dash when there is none."""
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return self.format_datetime(value, fmt)
        return self.format_date(value, fmt)

    def format_money(self, amount: float, currency: str) -> str:
        """Whole amounts without decimals ($180,000), others with the currency's digits."""
        from babel.numbers import format_currency

        if float(amount).is_integer():
            pattern = self.babel_locale.currency_formats["standard"].pattern.split(";")[0]
            whole = pattern.replace(".00", "").replace(".0", "")
            return format_currency(amount, currency, whole, locale=self.babel_locale, currency_digits=False)
        return format_currency(amount, currency, locale=self.babel_locale)

    def format_number(self, value: float) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.babel_locale)

    def format_percent(self, percent: int) -> str:
        """A whole-number percentage (42 -> 42%, 42 % in German)."""
        from babel.numbers import format_percent

        return format_percent(percent / 100, locale=self.babel_locale)

    def format_list(self, items: list[str]) -> str:
        """Names joined the locale's way ('A, B and C'; 'A、B、C')."""
        from babel.lists import format_list

        return format_list(items, locale=self.babel_locale)

    def state_label(self, state: State) -> str:
        return self.gettext(STATE_LABELS[State(state)])

    def role_label(self, role: Role) -> str:
        return self.gettext(ROLE_LABELS[Role(role)])

    def side_label(self, side: Side) -> str:
        return self.gettext(SIDE_LABELS[Side(side)])

    def with_contributors(self, action: ActionView) -> str:
        """ "with Dana White (Buyer), Sam Ortiz (Seller)": the phrase every format puts after an
        action's owner, or "" when nobody works on it with the owner."""
        if not action.contributors:
            return ""
        names = ", ".join(f"{c.name} ({self.side_label(c.side)})" for c in action.contributors)
        return self.gettext("with %(names)s") % {"names": names}

    def section_title(self, section: str) -> str:
        return self.gettext(SECTION_TITLES[section])

    def signoff_text(self, view: PlanView) -> tuple[str, ...]:
        """The sign-off paragraphs for this revision and fingerprint, in the plan's language."""
        plan = view.plan
        values = {
            "revision": self.format_number(plan.revision),
            "fingerprint": view.short_fingerprint,
            "buyer": plan.buyer.name,
            "seller": plan.seller.name,
        }
        return tuple(self.gettext(paragraph) % values for paragraph in SIGNOFF_TEXT)


@cache
def localizer(locale: str, timezone: str) -> Localizer:
    """The shared Localizer for a locale and zone (catalogs are read once per process)."""
    return Localizer(locale, timezone)
