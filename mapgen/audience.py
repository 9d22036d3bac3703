"""Who an artifact is for, and the plan as that audience may see it.

Filtering happens on the plan, before the view is built, so nothing internal (the `internal`
block, internal actions, and dependencies on them) can reach a buyer-facing renderer at all.
"""

from __future__ import annotations

from enum import StrEnum

from mapgen.spec import Plan, Visibility


class Audience(StrEnum):
    BUYER = "buyer"
    INTERNAL = "internal"


def for_audience(plan: Plan, audience: Audience) -> Plan:
    """The plan without anything the audience must not see.

    A phase whose actions are all internal is dropped too: its name alone would tell the buyer.
    """
    if audience is Audience.INTERNAL:
        return plan
    hidden = {a.id for _, a in plan.actions() if a.visibility is Visibility.INTERNAL}
    phases = [
        phase.model_copy(
            update={
                "actions": [
                    a.model_copy(update={"depends_on": [d for d in a.depends_on if d not in hidden]})
                    for a in phase.actions
                    if a.id not in hidden
                ]
            }
        )
        for phase in plan.phases
        if not phase.actions or any(a.id not in hidden for a in phase.actions)
    ]
    return plan.model_copy(update={"phases": phases, "internal": None})
