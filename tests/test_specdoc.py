"""docs/spec.md is generated from the models and documents every field."""

from __future__ import annotations

from mapgen.specdoc import _models, field_docs, spec_reference
from tests.conftest import ROOT


def test_docs_spec_md_is_up_to_date() -> None:
    expected = spec_reference()
    actual = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    assert actual == expected, "regenerate with: mapgen schema --format markdown > docs/spec.md"


def test_every_field_has_a_docstring() -> None:
    for model in _models():
        missing = set(model.model_fields) - set(field_docs(model))
        assert not missing, f"{model.__name__}: {sorted(missing)}"
