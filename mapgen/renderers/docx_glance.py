"""The DOCX's status at a glance, for one-page layouts: progress by state, the next milestones and
actions, and the key dates."""

from __future__ import annotations

from mapgen.renderers.docx_blocks import DocxBlocks
from mapgen.view import State


class GlanceSections(DocxBlocks):
    """Progress, next milestones, next actions and key dates."""

    def _section_progress(self) -> None:
        view = self.view
        self.section_heading("progress")
        self.para(
            f"{view.progress.done} / {view.progress.total} \u00b7 {self.loc.format_percent(view.progress.percent)}"
            f" \u00b7 {self._('Days to close')}: {self.loc.format_number(view.days_to_close)}"
        )
        states = [s for s in State if view.state_counts.get(s)]
        if states:
            self.table(
                [self.loc.state_label(s) for s in states],
                [1.0] * len(states),
                [[self.count_cell(s, view.state_counts[s]) for s in states]],
                banded=False,
            )

    def _section_next_milestones(self) -> None:
        if not self._has("next_milestones"):
            return
        self.section_heading("next_milestones")
        upcoming = [a for a in self.view.milestones if a.is_open][: 5 if self.full_cover else 4]
        self.table(
            [self._("Date"), self._("Milestone"), self._("Owner"), self._("Status")],
            [2, 5, 3, 1.6],
            [
                (self.loc.format_due(a.due), a.title, self._owner(a), self.status_cell(a.state))
                for a in upcoming
            ],
        )

    def _section_next_actions(self) -> None:
        if not self._has("next_actions"):
            return
        self.section_heading("next_actions")
        self.table(
            [self._("Due"), self._("Action"), self._("Owner"), self._("Status")],
            [2, 5, 3, 1.6],
            [
                (self.loc.format_due(a.due), a.title, self._owner(a), self.status_cell(a.state))
                for a in self.view.next_actions[: 8 if self.full_cover else 4]
            ],
        )

    def _section_key_dates(self) -> None:
        if self._key_dates_on_cover():
            return
        deal = self.plan.deal
        self.section_heading("key_dates")
        rows = [(self._("Start"), self.loc.format_due(deal.start))]
        rows.append((self._("Target close"), self.loc.format_date(deal.target_close)))
        if deal.go_live is not None:
            rows.append((self._("Go-live"), self.loc.format_due(deal.go_live)))
        if deal.compelling_event and self.full_cover:
            rows.append((deal.compelling_event, ""))
        if "next_milestones" not in self.sections:
            rows.extend((a.title, self.loc.format_due(a.due)) for a in self.view.milestones if a.is_open)
        if self.full_cover:
            self.table([self._("Event"), self._("Date")], [5, 2], rows)
        else:
            self.table([r[0] for r in rows], [1.0] * len(rows), [[r[1] for r in rows]], banded=False)
