"""The plan's signature record as sentences: who signed which revision and when, and which signed
revision this one supersedes with what changed since.

One set of sentences for every format that shows the sign-off (the PDF's sign-off page and the
HTML page), written in the plan's language through the catalogs. The facts come from the view
(`PlanView.signoff_record`); what changed comes from `render --since` (mapgen.diff) and is listed
only when it compares with the superseded signed revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mapgen.i18n import Localizer
    from mapgen.presentation import Changes
    from mapgen.view import PlanView


MOST_IMPORTANT = 5
"""Changes listed on the sign-off (diff orders them by importance); the rest are counted."""


@dataclass(frozen=True, slots=True)
class RecordText:
    heading: str
    signed: tuple[str, ...]
    """One sentence per recorded signature, newest revision first."""
    superseded: str | None
    """Says this revision replaces a signed one, whose signatures apply to it only."""
    changes_heading: str | None
    changes: tuple[str, ...]
    """What changed since the superseded signed revision (from `render --since` that revision): the
    most important ones, then how many more the 'What changed' section lists."""


def record_text(view: PlanView, l10n: Localizer, changes: Changes | None) -> RecordText | None:
    """The record's sentences, or None when the plan records no signature."""
    record = view.signoff_record
    if not record.signatures:
        return None
    signed = tuple(
        l10n.gettext("%(name)s signed revision %(revision)s on %(when)s.")
        % {
            "name": s.signatory.name,
            "revision": l10n.format_number(s.revision),
            "when": l10n.format_due(s.when),
        }
        for s in record.signatures
    )
    superseded = changes_heading = None
    listed: tuple[str, ...] = ()
    if record.superseded_revision is not None:
        revision = l10n.format_number(record.superseded_revision)
        superseded = l10n.gettext(
            "This revision supersedes revision %(revision)s, signed by %(names)s; "
            "those signatures apply to revision %(revision)s only."
        ) % {"revision": revision, "names": l10n.format_list([p.name for p in record.superseded_signers])}
        if changes is not None and changes.since_revision == record.superseded_revision:
            changes_heading = l10n.gettext("Changed since revision %(revision)s:") % {"revision": revision}
            listed = changes.summaries[:MOST_IMPORTANT]
            if len(changes.summaries) > MOST_IMPORTANT:
                listed += (
                    l10n.gettext("And %(count)s more, listed under “%(section)s”.")
                    % {
                        "count": l10n.format_number(len(changes.summaries) - MOST_IMPORTANT),
                        "section": l10n.section_title("changes"),
                    },
                )
    return RecordText(l10n.gettext("Signatures recorded"), signed, superseded, changes_heading, listed)
