"""mapgen: render sales Mutual Action Plans from one validated spec into every format people open.

The public Python API (docs/api.md)::

    import mapgen

    plan = mapgen.load_plan("plan.yaml")            # or a dict parsed from YAML/JSON
    problems = mapgen.validate("plan.yaml", ready=True)
    artifacts = mapgen.render(plan, ["pdf", "ics"])  # [Artifact(name, data, media_type), ...]
    mapgen.write(artifacts, "out")

Names are imported on first use, so `import mapgen` stays cheap (no pydantic, no WeasyPrint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mapgen.api import (
        PlanSource,
        Progress,
        check_ready,
        formats,
        load_plan,
        render,
        render_set,
        validate,
        write,
    )
    from mapgen.errors import InvalidInput, MapgenError, Problem, Severity, UsageError
    from mapgen.load import LoadedPlan
    from mapgen.output import ArtifactSet
    from mapgen.renderers.base import Artifact

_EXPORTS = {
    "load_plan": "mapgen.api",
    "validate": "mapgen.api",
    "check_ready": "mapgen.api",
    "render": "mapgen.api",
    "render_set": "mapgen.api",
    "write": "mapgen.api",
    "formats": "mapgen.api",
    "PlanSource": "mapgen.api",
    "Progress": "mapgen.api",
    "LoadedPlan": "mapgen.load",
    "Artifact": "mapgen.renderers.base",
    "ArtifactSet": "mapgen.output",
    "Problem": "mapgen.errors",
    "Severity": "mapgen.errors",
    "MapgenError": "mapgen.errors",
    "InvalidInput": "mapgen.errors",
    "UsageError": "mapgen.errors",
}

__all__ = [
    "Artifact",
    "ArtifactSet",
    "InvalidInput",
    "LoadedPlan",
    "MapgenError",
    "PlanSource",
    "Problem",
    "Progress",
    "Severity",
    "UsageError",
    "__version__",
    "check_ready",
    "formats",
    "load_plan",
    "render",
    "render_set",
    "validate",
    "write",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mapgen' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
