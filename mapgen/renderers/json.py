"""`json` format: the normalised plan as the audience sees it, plus every derived status."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from mapgen import __version__
from mapgen.renderers.base import Artifact, RenderContext
from mapgen.view import PlanView


def status_document(view: PlanView) -> dict[str, Any]:
    """The derived part of the view as plain JSON data."""
    return {
        "as_of": view.as_of.isoformat(),
        "fingerprint": view.fingerprint,
        "progress": {
            "done": view.progress.done,
            "total": view.progress.total,
            "percent": view.progress.percent,
        },
        "days_to_close": view.days_to_close,
        "days_to_go_live": view.days_to_go_live,
        "states": {state.value: count for state, count in sorted(view.state_counts.items())},
        "phases": [
            {
                "id": p.id,
                "progress": {
                    "done": p.progress.done,
                    "total": p.progress.total,
                    "percent": p.progress.percent,
                },
                "first_due": p.first_due.isoformat() if p.first_due else None,
                "last_due": p.last_due.isoformat() if p.last_due else None,
            }
            for p in view.phases
        ],
        "actions": {
            a.id: {"state": a.state.value, "days_left": a.days_left, "critical": a.critical}
            for a in view.actions
        },
        "critical_path": [a.id for a in view.critical_path],
        "milestones": [a.id for a in view.milestones],
        "next_actions": {s.id: [a.id for a in s.next_actions] for s in view.stakeholders},
        "metrics": {m.id: {"progress_percent": m.progress_percent} for m in view.metrics},
    }


class JsonRenderer:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"
    media_type: ClassVar[str] = "application/json"
    uses_layout: ClassVar[bool] = False

    def render(self, ctx: RenderContext) -> list[Artifact]:
        view = ctx.view
        document = {
            "generator": f"mapgen {__version__}",
            "audience": view.audience.value,
            "plan": view.plan.model_dump(mode="json"),
            "status": status_document(view),
        }
        if ctx.options.changes is not None:
            from mapgen.diff import as_document

            document["changes"] = as_document(ctx.options.changes)
        text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        return [Artifact(f"{view.plan.id}{self.suffix}", text.encode(), self.media_type)]


RENDERER = JsonRenderer()
