"""Reading our own pages as a browser does: their links, their forms and what a form sends.

The hostile-input suite generates its cases from what the pages really offer, so a form added
by a new part is attacked without anyone listing it. Standard library only (html.parser).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

__all__ = ["Field", "Form", "Page", "crawl", "error_messages", "read_page"]

_INVITATION = re.compile(r"/(?:j|s|wj)/[A-Za-z0-9_-]{8,}")


@dataclass
class Field:
    """One named control of a form and the value the page gives it."""

    name: str
    kind: str  # input type, "select", "textarea"
    value: str
    checked: bool = True  # for checkboxes and radio buttons
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    def names(self) -> list[str]:
        """Each field name once, in page order (the CSRF token excluded)."""
        seen: list[str] = []
        for control in self.fields:
            if control.name not in seen and control.name != "csrf_token":
                seen.append(control.name)
        return seen

    def values(self) -> list[tuple[str, str]]:
        """What a browser sends when the form is submitted as the page drew it."""
        sent: list[tuple[str, str]] = []
        radios: set[str] = set()
        for control in self.fields:
            if control.kind == "checkbox" and not control.checked:
                continue
            if control.kind == "radio":
                if control.name in radios or not control.checked:
                    continue
                radios.add(control.name)
            if control.kind in ("submit", "button", "file"):
                continue
            sent.append((control.name, control.value))
        for control in self.fields:  # a radio group with nothing checked: its first choice
            if control.kind == "radio" and control.name not in radios:
                radios.add(control.name)
                sent.append((control.name, control.value))
        return sent

    def file_fields(self) -> list[str]:
        return [c.name for c in self.fields if c.kind == "file"]


@dataclass
class Page:
    url: str
    status: int
    links: list[str]
    forms: list[Form]
    invitations: list[str]


class _Reader(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            self.form = Form(
                page=self.url,
                action=urljoin(self.url, a.get("action") or self.url),
                method=(a.get("method") or "get").lower(),
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag in ("input", "button") and a.get("name"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            checked = "checked" in a if kind in ("checkbox", "radio") else True
            self.form.fields.append(Field(a["name"], kind, a.get("value", ""), checked))
        elif tag == "select" and a.get("name"):
            self.select = Field(a["name"], "select", "")
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select.options.append(value)
            if "selected" in a or len(self.select.options) == 1:
                self.select.value = value
        elif tag == "textarea" and a.get("name"):
            self.textarea = Field(a["name"], "textarea", "")
            self.form.fields.append(self.textarea)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def read_page(url: str, status: int, html: str) -> Page:
    reader = _Reader(url)
    reader.feed(html)
    return Page(
        url=url,
        status=status,
        links=reader.links,
        forms=reader.forms,
        invitations=sorted(set(_INVITATION.findall(html))),
    )


_ERROR = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)
_TAG = re.compile(r"<[^>]+>")


def error_messages(html: str) -> list[str]:
    """The error sentences a page shows (our templates mark them all the same way)."""
    return [unescape(re.sub(r"\s+", " ", _TAG.sub("", m))).strip() for m in _ERROR.findall(html)]


def local_path(url: str) -> str | None:
    """The path and query of a link to our own site, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        return None
    if parts.netloc not in ("", "testserver", "127.0.0.1:8000"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(
    fetch: Callable[[str], tuple[int, str, str]],
    start: list[str],
    *,
    skip: Callable[[str], bool],
    limit: int = 400,
) -> Iterator[Page]:
    """Every page reachable by links from ``start`` (breadth first, at most ``limit``).

    ``fetch(path)`` returns (status, content type, text). Paths for which ``skip`` is true
    (signing out, downloads, event streams) are not fetched.
    """
    queue = list(start)
    seen: set[str] = set()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or skip(path):
            continue
        seen.add(path)
        status, content_type, text = fetch(path)
        if "text/html" not in content_type:
            continue
        page = read_page(f"http://testserver{path}", status, text)
        yield page
        for link in page.links:
            local = local_path(link.split("#", 1)[0])
            if local is not None and local not in seen:
                queue.append(local)
