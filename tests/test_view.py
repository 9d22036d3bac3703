"""View model: derived states at their thresholds, progress, critical path, next actions, audiences."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from mapgen.audience import Audience
from mapgen.load import load_plan
from mapgen.spec import Status, Visibility
from mapgen.view import PlanView, State, action_state, build_view
from tests.conftest import SAMPLES_DIR

ENTERPRISE = SAMPLES_DIR / "northwind-acme" / "plan.yaml"
AS_OF = date(2027, 1, 12)


@pytest.mark.parametrize(
    ("status", "due", "state"),
    [
        (Status.DONE, date(2026, 1, 1), State.DONE),
        (Status.BLOCKED, date(2027, 6, 1), State.BLOCKED),
        (Status.NOT_STARTED, None, State.ON_TRACK),
        (Status.NOT_STARTED, date(2027, 1, 20), State.ON_TRACK),
        (Status.IN_PROGRESS, date(2027, 1, 19), State.DUE_SOON),
        (Status.NOT_STARTED, date(2027, 1, 12), State.DUE_SOON),
        (Status.NOT_STARTED, date(2027, 1, 11), State.OVERDUE),
        (Status.IN_PROGRESS, date(2027, 1, 6), State.OVERDUE),
        (Status.NOT_STARTED, date(2027, 1, 5), State.STALLED),
    ],
)
def test_action_state_thresholds(status: Status, due: date | None, state: State) -> None:
    assert action_state(status, due, AS_OF) is state


@pytest.fixture(scope="module")
def enterprise() -> PlanView:
    return build_view(load_plan(ENTERPRISE).plan)


def test_progress_and_counts_agree(enterprise: PlanView) -> None:
    assert enterprise.progress.total == len(enterprise.actions)
    assert sum(enterprise.state_counts.values()) == len(enterprise.actions)
    assert enterprise.progress.done == enterprise.state_counts.get(State.DONE, 0)
    assert sum(p.progress.total for p in enterprise.phases) == enterprise.progress.total
    assert enterprise.days_to_close == (date(2027, 3, 5) - AS_OF).days


def test_sample_has_every_kind_of_late(enterprise: PlanView) -> None:
    for state in (State.DONE, State.OVERDUE, State.STALLED, State.BLOCKED, State.DUE_SOON, State.ON_TRACK):
        assert enterprise.state_counts.get(state, 0) >= 1, state


def test_critical_path_is_a_dependency_chain_to_the_close(enterprise: PlanView) -> None:
    path = enterprise.critical_path
    assert path[-1].milestone
    assert path[-1].due_day <= enterprise.plan.deal.target_close
    for earlier, later in itertools.pairwise(path):
        assert earlier.id in later.depends_on
    assert all(a.critical for a in path)


def test_next_actions_are_open_and_soonest_first(enterprise: PlanView) -> None:
    for person in enterprise.stakeholders:
        dues = [a.due_day or date.max for a in person.next_actions]
        assert dues == sorted(dues)
        assert all(a.is_open and a.owner_id == person.id for a in person.next_actions)


def test_as_of_moves_every_state() -> None:
    plan = load_plan(ENTERPRISE).plan
    later = build_view(plan, as_of=date(2027, 12, 31))
    open_dated = [a for a in later.actions if a.is_open and a.state is not State.BLOCKED and a.due_day]
    assert open_dated and all(a.state is State.STALLED for a in open_dated)


def test_buyer_view_has_nothing_internal() -> None:
    plan = load_plan(ENTERPRISE).plan
    internal_ids = {a.id for _, a in plan.actions() if a.visibility is Visibility.INTERNAL}
    assert internal_ids and plan.internal is not None
    buyer = build_view(plan, Audience.BUYER)
    assert buyer.plan.internal is None
    assert not internal_ids & set(buyer.by_id)
    assert not any(internal_ids & set(a.depends_on) for a in buyer.actions)
    full = build_view(plan, Audience.INTERNAL)
    assert internal_ids <= set(full.by_id)
    assert buyer.fingerprint != full.fingerprint


def test_view_is_frozen(enterprise: PlanView) -> None:
    with pytest.raises(AttributeError):
        enterprise.actions[0].state = State.DONE  # type: ignore[misc]
