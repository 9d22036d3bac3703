"""SVG logos cleaned to drawing only: no scripts, event attributes, external references or entities.

An SVG is a document that can carry `<script>`, `onload=`, links to other files or sites, and XML
entities (the "billion laughs"). Inside `<img>` and under the page's CSP those are inert, but they
would still travel into every artifact. The file is parsed with expat refusing any DOCTYPE or entity
declaration (what defusedxml does), then rebuilt from an allowlist of drawing elements and
attributes; references may only point inside the file (`#id`). The result is what gets embedded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from mapgen.images import BadImage
from mapgen.limits import MAX_SVG_ELEMENTS

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "marker",
    ]
)
_ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "role",
        "aria-label",
        "aria-labelledby",
        "aria-hidden",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "width",
        "height",
        "d",
        "points",
        "viewBox",
        "preserveAspectRatio",
        "transform",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-opacity",
        "opacity",
        "color",
        "clip-path",
        "clip-rule",
        "mask",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "dx",
        "dy",
        "rotate",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "fx",
        "fy",
        "fr",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "markerWidth",
        "markerHeight",
        "refX",
        "refY",
        "orient",
        "markerUnits",
        "visibility",
        "display",
        "version",
        "href",
    ]
)
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE)
_STYLE_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*([^;]*)$", re.IGNORECASE)


def sanitise_svg(data: bytes) -> bytes:
    """The drawing of an SVG file with everything else removed; BadImage when it cannot be read."""
    root = _parse(data)
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BadImage("not an SVG file (the root element is not <svg>)")
    count = sum(1 for _ in root.iter())
    if count > MAX_SVG_ELEMENTS:
        raise BadImage(f"{count:,} SVG elements; a logo may have at most {MAX_SVG_ELEMENTS:,}")
    clean = _copy(root)
    assert clean is not None
    return (_serialise(clean, root=True) + "\n").encode()


def _parse(data: bytes) -> ET.Element:
    """Parse with expat, refusing DOCTYPE, entity declarations and external entities."""

    def refuse(*_args: object) -> None:
        raise BadImage("SVG with a DOCTYPE or entity declarations is not accepted")

    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def start(tag: str, attrs: dict[str, str]) -> None:
        builder.start(_clark(tag), {_clark(k): v for k, v in attrs.items()})

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(_clark(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        return builder.close()
    except (expat.ExpatError, AssertionError, IndexError) as exc:
        raise BadImage(f"not a well-formed SVG file ({exc})") from None


def _serialise(element: ET.Element, root: bool = False) -> str:
    """SVG markup of a cleaned tree: every element in the SVG namespace, declared once on the root."""
    name = element.tag.rpartition("}")[2]
    attributes = {"xmlns": SVG_NS, **element.attrib} if root else element.attrib
    markup = "<" + name + "".join(f" {key}={quoteattr(value)}" for key, value in attributes.items())
    inner = escape(element.text or "") + "".join(_serialise(child) for child in element)
    markup += f">{inner}</{name}>" if inner else "/>"
    return markup + escape(element.tail or "")


def _clark(name: str) -> str:
    """expat's 'ns}local' -> ElementTree's '{ns}local'."""
    return "{" + name if "}" in name else name


def _copy(element: ET.Element) -> ET.Element | None:
    namespace, _, local = (
        element.tag[1:].partition("}") if element.tag.startswith("{") else ("", "", element.tag)
    )
    if namespace != SVG_NS or local not in _ELEMENTS:
        return None
    attributes = {}
    for name, value in element.attrib.items():
        cleaned = _attribute(name, value)
        if cleaned is not None:
            attributes[cleaned[0]] = cleaned[1]
    copy = ET.Element(element.tag, attributes)
    if local in ("text", "tspan", "textPath", "title", "desc"):
        copy.text = element.text
    for child in element:
        kept = _copy(child)
        if kept is not None:
            copy.append(kept)
            if local in ("text", "tspan", "textPath"):
                kept.tail = child.tail
    return copy


def _attribute(name: str, value: str) -> tuple[str, str] | None:
    """The attribute as kept, or None: allowlisted names, and references only to `#id`."""
    if name == f"{{{XLINK_NS}}}href":
        name = "href"
    if name.startswith("{") or name.lower().startswith("on"):
        return None
    if name == "style":
        kept = [d for d in (_declaration(part) for part in value.split(";")) if d]
        return ("style", "; ".join(kept)) if kept else None
    if name not in _ATTRIBUTES:
        return None
    if name == "href":
        return (name, value) if re.fullmatch(r"#[A-Za-z_][\w.-]*", value.strip()) else None
    if not _internal_urls(value):
        return None
    return name, value


def _declaration(text: str) -> str | None:
    match = _STYLE_DECLARATION.match(text)
    if not match or match.group(1).lower() not in _ATTRIBUTES or not _internal_urls(match.group(2)):
        return None
    return f"{match.group(1)}: {match.group(2).strip()}"


def _internal_urls(value: str) -> bool:
    """False when a value refers to anything outside the file (url(http:...), url(data:...))."""
    lowered = value.lower()
    if "expression(" in lowered or "javascript:" in lowered or "@import" in lowered:
        return False
    return all(target.strip().startswith("#") for _, target in _URL.findall(value))
