"""An internal copy says so in every format a person reads, so a forwarded one is recognised."""

from __future__ import annotations

import io
import zipfile

import pytest

from mapgen.api import render
from tests.conftest import ROOT

ENTERPRISE = ROOT / "samples" / "northwind-acme" / "plan.yaml"
WARNING = "Internal copy: includes seller-only actions and notes. Do not share with the buyer."
RUNNING = "Internal copy · not for the buyer"


def _texts(audience: str, layout: str = "standard") -> dict[str, str]:
    artifacts = render(ENTERPRISE, "html,email,docx", audience=audience, layout=layout)
    texts = {}
    for artifact in artifacts:
        if artifact.name.endswith(".docx"):
            with zipfile.ZipFile(io.BytesIO(artifact.data)) as package:
                texts["docx"] = package.read("word/document.xml").decode("utf-8")
                texts["docx header"] = package.read("word/header1.xml").decode("utf-8")
        else:
            texts[artifact.name] = artifact.data.decode("utf-8")
    return texts


@pytest.mark.parametrize("layout", ["standard", "one-page"])
def test_internal_copies_carry_the_warning(layout: str) -> None:
    texts = _texts("internal", layout)
    for name in ("northwind-acme.html", "northwind-acme.email.html", "northwind-acme.email.txt", "docx"):
        assert WARNING in texts[name], name
    assert texts["northwind-acme.email.txt"].startswith(WARNING)
    assert RUNNING in texts["docx header"]


def test_buyer_copies_carry_no_warning() -> None:
    for name, text in _texts("buyer").items():
        assert WARNING not in text and RUNNING not in text, name
