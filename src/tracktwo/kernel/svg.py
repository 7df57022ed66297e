"""A very small SVG writer shared by every figure tracktwo draws.

Figures are written by hand rather than through a plotting library so that text stays text:
browsers and WeasyPrint then shape Arabic and Hebrew correctly, the brief stays small, and a
figure prints legibly in black and white. Every attribute and text node is escaped here, so
callers can pass statement texts written by participants.
"""

from __future__ import annotations

from html import escape

__all__ = ["Svg", "fmt"]


def fmt(value: float) -> str:
    """Format a coordinate compactly (two decimals, no trailing zeros)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(attrs: dict[str, object]) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = fmt(value)
        parts.append(f' {name}="{escape(str(value), quote=True)}"')
    return "".join(parts)


class Svg:
    """Collects SVG elements and renders one self-contained ``<svg>`` element.

    ``title`` becomes the accessible name of the figure (``<title>`` and ``aria-label``).
    Attribute names use underscores for hyphens (``stroke_width``) and a trailing underscore
    for Python keywords (``class_``).
    """

    def __init__(
        self,
        width: float,
        height: float,
        *,
        title: str,
        desc: str | None = None,
        class_: str | None = None,
    ) -> None:
        self.width = width
        self.height = height
        self.title = title
        self.desc = desc
        self.class_ = class_
        self._parts: list[str] = []

    def add(self, tag: str, text: str | None = None, /, **attrs: object) -> None:
        """Append one element; ``text`` (escaped) becomes its content."""
        if text is None:
            self._parts.append(f"<{tag}{_attrs(attrs)}/>")
        else:
            self._parts.append(f"<{tag}{_attrs(attrs)}>{escape(text)}</{tag}>")

    def open(self, tag: str, **attrs: object) -> None:
        """Open a container element such as ``g``; close it with :meth:`close`."""
        self._parts.append(f"<{tag}{_attrs(attrs)}>")

    def close(self, tag: str) -> None:
        self._parts.append(f"</{tag}>")

    def render(self) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {fmt(self.width)} '
            f'{fmt(self.height)}" width="{fmt(self.width)}" height="{fmt(self.height)}" '
            f'role="img"{_attrs({"aria-label": self.title, "class_": self.class_})}>'
            f"<title>{escape(self.title)}</title>"
        )
        desc = f"<desc>{escape(self.desc)}</desc>" if self.desc else ""
        return head + desc + "".join(self._parts) + "</svg>"
