"""A page budget for the PDF, enforced while WeasyPrint lays pages out (not after).

WeasyPrint reports each page it lays out on its `weasyprint.progress` logger. A filter there stops
the layout by raising once the page count passes the budget of the render in this thread, so a plan
that would make thousands of pages fails in seconds with a message naming the limit, instead of
taking minutes and gigabytes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mapgen.errors import UsageError
from mapgen.limits import lift_hint

_PAGE_MESSAGE = "Step 5 - Creating layout - Page %d"
_state = threading.local()
_installed = threading.Lock()


class PageBudgetExceeded(UsageError):
    """The PDF needs more pages than its budget (exit 2: the plan is too big, not a bug)."""


class _Budget(logging.Filter):
    def __init__(self, quiet: bool) -> None:
        super().__init__()
        self.quiet = quiet
        """True when mapgen turned the logger on: its progress lines are then nobody's business."""

    def filter(self, record: logging.LogRecord) -> bool:
        limit = getattr(_state, "limit", None)
        if limit is not None and record.msg.startswith(_PAGE_MESSAGE[:30]) and record.args:
            page = record.args[0] if isinstance(record.args, tuple) else None
            if isinstance(page, int) and page > limit:
                raise PageBudgetExceeded(
                    f"{_state.what}: the PDF needs more than {limit:,} pages, the limit; "
                    f"{lift_hint('pdf_pages', limit * 2)} or more"
                )
        return not self.quiet or record.levelno >= logging.WARNING


def _install() -> None:
    logger = logging.getLogger("weasyprint.progress")
    with _installed:
        if any(isinstance(f, _Budget) for f in logger.filters):
            return
        quiet = logger.level == logging.NOTSET or logger.level > logging.INFO
        if quiet:
            logger.setLevel(logging.INFO)
        logger.addFilter(_Budget(quiet))


CHARS_PER_PAGE = 6_000
"""More text than a dense page holds, so the estimate below is a floor of the real page count."""
ROWS_PER_PAGE = 60


def least_pages(plan: object) -> int:
    """A floor of the pages a plan's PDF takes, from its text and rows alone: no layout needed."""
    from mapgen.spec import Plan

    assert isinstance(plan, Plan)
    chars = sum(len(text) for text in _strings(plan.model_dump()))
    return chars // CHARS_PER_PAGE + len(plan.actions()) // ROWS_PER_PAGE


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _strings(value)


@contextmanager
def page_budget(limit: int, what: str, plan: object = None) -> Iterator[None]:
    """Within this block, a WeasyPrint layout in this thread stops past `limit` pages. With the
    `plan`, a plan whose text alone needs more pages is refused before WeasyPrint starts (laying out
    the first 300 pages of 5 MB of notes took minutes before the budget stopped it)."""
    if plan is not None:
        floor = least_pages(plan)
        if floor > limit:
            raise PageBudgetExceeded(
                f"{what}: the plan's text needs at least {floor:,} PDF pages, more than the limit of "
                f"{limit:,}; {lift_hint('pdf_pages', floor * 2)} or more"
            )
    _install()
    _state.limit, _state.what = limit, what
    try:
        yield
    finally:
        _state.limit = None
