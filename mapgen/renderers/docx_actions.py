"""The DOCX's plan of work: the timeline of phases by month (or quarter) with its milestones, and
the actions of each phase as tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from mapgen.dates import first_of_month_after, month_starts
from mapgen.renderers import docx_markdown, docx_xml
from mapgen.renderers.docx_blocks import MILESTONE, DocxBlocks
from mapgen.renderers.docx_theme import tint
from mapgen.rules import day_of
from mapgen.spec import Visibility
from mapgen.view import ActionView

if TYPE_CHECKING:
    from docx.table import _Cell

MAX_TIMELINE_MONTHS = 18
"""Beyond this many months the timeline counts in quarters, so columns stay readable."""


class ActionSections(DocxBlocks):
    """Timeline and actions."""

    def _months(self) -> list[tuple[str, date, date]]:
        """Timeline columns: (label, first day, last day), months or quarters."""
        plan, view = self.plan, self.view
        days = [d for d in (a.due_day for a in view.actions) if d]
        days.append(plan.deal.target_close)
        start = day_of(plan.deal.start) or min(days)
        first, last = min([start, *days]), max(days)
        months = month_starts(first, last)
        step = 3 if len(months) > MAX_TIMELINE_MONTHS else 1
        if step == 3:
            months = [m for m in months if m.month in (1, 4, 7, 10) or m == months[0]]
        columns = []
        for i, m in enumerate(months):
            end = (
                months[i + 1] - timedelta(days=1)
                if i + 1 < len(months)
                else first_of_month_after(m, step) - timedelta(days=1)
            )
            label = self.loc.format_date(m, "MMM") if step == 1 else f"Q{(m.month - 1) // 3 + 1}"
            columns.append((label, m, end))
        return columns

    def _section_timeline(self) -> None:
        if not self._has("timeline"):
            return
        view = self.view
        self.section_heading("timeline")
        columns = self._months()
        span = f"{self.loc.format_date(columns[0][1], 'yMMM')} \u2013 {self.loc.format_date(columns[-1][2], 'yMMM')}"
        self.caption(f"{self._('Phases by month')} ({span}); {MILESTONE} = {self._('milestone')}")
        primary = self.tokens.colors.primary

        def mark(
            phase_actions: Sequence[ActionView], first: date | None, last: date | None, lo: date, hi: date
        ):
            active = first is not None and last is not None and first <= hi and last >= lo
            milestones = [a for a in phase_actions if a.milestone and a.due_day and lo <= a.due_day <= hi]

            marks = MILESTONE * min(len(milestones), 3)
            shading = tint(primary, 0.35) if active else None
            return lambda cell: docx_xml.fill_cell(cell, marks, "TableText", fill=shading, center=True)

        rows = []
        for phase in view.phases:
            cells: list[Any] = [phase.name]
            for _label, lo, hi in columns:
                cells.append(mark(phase.actions, phase.first_due, phase.last_due, lo, hi))
            rows.append(cells)
        name_share = max(3.0, len(columns) * 0.35)
        self.table(
            [self._("Phase"), *[c[0] for c in columns]],
            [name_share, *[1.0] * len(columns)],
            rows,
            banded=False,
        )
        if view.milestones:
            self.heading(self._("Milestones"), 2)
            self.table(
                [self._("Date"), self._("Milestone"), self._("Owner"), self._("Status")],
                [2, 5, 3, 1.6],
                [
                    (self.loc.format_due(a.due), a.title, self.person(a.owner_id), self.status_cell(a.state))
                    for a in view.milestones
                ],
            )

    def _section_actions(self) -> None:
        if not self._has("actions"):
            return
        self.section_heading("actions")
        columns = [
            (self._("Action"), 25, True),
            (self._("Owner"), 13, True),
            (self._("Side"), 8, True),
            (self._("Due"), 12, True),
            (self._("Status"), 11, True),
            (self._("Depends on"), 12, any(a.depends_on for a in self.view.actions)),
            (self._("Outcome"), 19, any(a.outcome for a in self.view.actions)),
        ]
        """A column no action fills is left out (the same columns in every phase)."""
        kept = [i for i, (_h, _w, shown) in enumerate(columns) if shown]
        headers = [columns[i][0] for i in kept]
        widths = [columns[i][1] for i in kept]
        for number, phase in enumerate(self.view.phases, 1):
            done = f"{phase.progress.done}/{phase.progress.total}"
            self.heading(f"{number}. {phase.name}", 2)
            for paragraph in self.markdown(phase.description):
                paragraph.paragraph_format.keep_with_next = True
            self.caption(f"{self._('Done')}: {done} \u00b7 {self.loc.format_percent(phase.progress.percent)}")
            rows = [[row[i] for i in kept] for row in (self._action_row(a) for a in phase.actions)]
            self.table(headers, widths, rows)

    def _action_row(self, action: ActionView) -> list[Any]:
        def title(cell: _Cell) -> None:
            p = cell.paragraphs[0]
            docx_xml.set_style(p, "TableText")
            p.add_run(f"{self.numbers[action.id]}  ").bold = True
            if action.milestone:
                p.add_run(f"{MILESTONE} ").bold = True
            run = p.add_run(action.title)
            run.bold = action.milestone
            if action.visibility is Visibility.INTERNAL:
                p.add_run(f" [{self._('Internal')}]").italic = True
            if action.notes:
                docx_markdown.write(
                    self.doc,
                    action.notes,
                    lambda style: docx_xml.set_style(cell.add_paragraph(), style),
                    body_style="TableText",
                )

        return [
            title,
            self._owner(action),
            self.loc.side_label(action.side),
            self.loc.format_due(action.due),
            self.status_cell(action.state),
            ", ".join(self.numbers.get(d, d) for d in action.depends_on),
            action.outcome or "",
        ]
