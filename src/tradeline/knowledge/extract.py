"""Documents to sections of text: plain text, Markdown, HTML (main content only) and PDF.

Every format becomes the same shape, a title and a list of sections, each with its heading path
and its blocks (paragraphs, list items, table rows) in reading order. The chunker never crosses a
section, and every chunk carries its section's heading path as context.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import PurePath
from typing import Any, Literal

from tradeline.exceptions import Unprocessable
from tradeline.knowledge.linguistics import normalise_space

SourceType = Literal["text", "markdown", "html", "pdf", "faq"]
SOURCE_TYPES: tuple[SourceType, ...] = ("text", "markdown", "html", "pdf", "faq")
EXTENSIONS: dict[str, SourceType] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


@dataclass
class Section:
    headings: tuple[str, ...]
    blocks: list[str] = field(default_factory=list)


@dataclass
class Document:
    source_type: SourceType
    title: str | None
    sections: list[Section]

    @property
    def text(self) -> str:
        """The whole extracted text, headings included (for language detection and hashing)."""
        parts: list[str] = []
        for section in self.sections:
            if section.headings:
                parts.append(section.headings[-1])
            parts.extend(section.blocks)
        return "\n".join(parts)


def source_type_for(filename: str) -> SourceType:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in EXTENSIONS:
        raise Unprocessable(
            f"{PurePath(filename).name}: unsupported file type (use .md .txt .html .pdf)"
        )
    return EXTENSIONS[suffix]


def title_from_filename(filename: str) -> str:
    stem = PurePath(filename).stem
    return normalise_space(re.sub(r"[_\-.]+", " ", stem)) or stem


def extract(data: bytes, filename: str) -> Document:
    """Parse `data` by the file's extension; raises Unprocessable on undecodable input."""
    kind = source_type_for(filename)
    fallback_title = title_from_filename(filename)
    if kind == "pdf":
        return extract_pdf(data, fallback_title)
    text = decode(data, filename)
    if kind == "html":
        return extract_html(text, fallback_title)
    if kind == "markdown":
        return extract_markdown(text, fallback_title)
    return extract_text(text, fallback_title)


def decode(data: bytes, filename: str) -> str:
    if b"\x00" in data[:4096]:
        raise Unprocessable(f"{PurePath(filename).name}: binary data, not a text document")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


class _Builder:
    """Accumulates blocks under a heading stack."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []
        self.sections: list[Section] = [Section(())]

    def heading(self, level: int, text: str) -> None:
        text = normalise_space(text)
        if not text:
            return
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))
        self.sections.append(Section(tuple(t for _, t in self.stack)))

    def block(self, text: str) -> None:
        text = text.strip()
        if text:
            self.sections[-1].blocks.append(text)

    def build(self, kind: SourceType, title: str | None) -> Document:
        sections = [s for s in self.sections if s.blocks]
        return Document(kind, title, sections)


# --- plain text ------------------------------------------------------------------------------

_UNDERLINE = re.compile(r"^(=+|-+)\s*$")


def _looks_like_heading(line: str, next_blank: bool) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > 80 or stripped[-1] in ".,;!?":
        return False
    wordcount = len(stripped.split())
    if stripped.endswith(":") and wordcount <= 8:
        return True
    letters = [c for c in stripped if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and wordcount <= 8:
        return True
    return next_blank and wordcount <= 8 and stripped[0].isupper()


def _looks_like_heading_above(line: str, following: str) -> bool:
    """A short title-cased line without final punctuation, directly above a much longer line
    (a paragraph's first line is about as long as the ones after it)."""
    stripped, after = line.strip(), following.strip()
    return (
        bool(stripped)
        and stripped[0].isupper()
        and stripped[-1] not in ".,;!?"
        and len(stripped.split()) <= 8
        and len(stripped) < 0.6 * len(after)
    )


def extract_text(text: str, fallback_title: str | None = None) -> Document:
    """Paragraphs split by blank lines; short title-like lines (ALL CAPS, `Name:`, underlined,
    or alone above a paragraph) are headings."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    builder = _Builder()
    title: str | None = None
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            builder.block(_join_lines(paragraph))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not line.strip():
            flush()
        elif _UNDERLINE.match(following) and line.strip() and not paragraph:
            builder.heading(1 if following.strip().startswith("=") else 2, line)
            title = title or normalise_space(line)
            i += 1
        elif not paragraph and (
            _looks_like_heading(line, not following.strip())
            or _looks_like_heading_above(line, following)
        ):
            builder.heading(2, line.strip().rstrip(":"))
            title = title or normalise_space(line.rstrip(":"))
        elif re.match(r"^\s*([-*•]|\d+[.)])\s+", line):
            flush()
            paragraph.append(re.sub(r"^\s*([-*•]|\d+[.)])\s+", "", line))
            flush()
        else:
            paragraph.append(line.strip())
        i += 1
    flush()
    return builder.build("text", title or fallback_title)


def _join_lines(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if out.endswith("-") and line[:1].islower():
            out = out[:-1] + line  # hyphenated at the line end
        elif out:
            out += ("\n" if _ends_sentence(out) else " ") + line
        else:
            out = line
    return out


def _ends_sentence(text: str) -> bool:
    return text.rstrip()[-1:] in ".!?:"


# --- Markdown --------------------------------------------------------------------------------


def _inline_text(token: Any) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content if child.type != "html_inline" else "")
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content or "")
    return "".join(parts)


def extract_markdown(text: str, fallback_title: str | None = None) -> Document:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    builder = _Builder()
    title: str | None = None
    heading_level: int | None = None
    header_cells: list[str] = []
    row: list[str] = []
    in_head = False
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "inline" and heading_level is not None:
            heading = _inline_text(token)
            if heading_level == 1 and title is None:
                title = normalise_space(heading)
            builder.heading(heading_level, heading)
            heading_level = None
        elif kind == "thead_open":
            in_head, header_cells = True, []
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            row = []
        elif kind == "inline" and tokens[index - 1].type in ("th_open", "td_open"):
            cell = normalise_space(_inline_text(token))
            (header_cells if in_head else row).append(cell)
        elif kind == "tr_close" and not in_head:
            builder.block(_table_row(header_cells, row))
        elif kind == "inline":
            builder.block(_inline_text(token))
        elif kind in ("fence", "code_block"):
            builder.block(token.content)
    return builder.build("markdown", title or fallback_title)


def _table_row(headers: list[str], cells: list[str]) -> str:
    """A table row as a readable line: 'Drain cleaning: $189' or 'Size: 40 gal; Price: $1,650'."""
    if not any(cells):
        return ""
    if len(cells) == 2:
        return f"{cells[0]}: {cells[1]}"
    if headers and len(headers) == len(cells):
        return "; ".join(f"{h}: {c}" if h else c for h, c in zip(headers, cells, strict=True))
    return " | ".join(cells)


# --- HTML ------------------------------------------------------------------------------------

_BOILERPLATE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "canvas",
    "button",
    "select",
    "dialog",
)
_BOILERPLATE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert"}
)
_BOILERPLATE_NAMES = re.compile(
    r"(^|[\s_-])(cookie|consent|breadcrumbs?|sidebar|skip-link|newsletter|social|share|"
    r"site-header|site-footer|menu|navbar|popup|modal|banner-ad|advert)([\s_-]|$)",
    re.IGNORECASE,
)
_INLINE_TAGS = frozenset(
    {
        "a",
        "span",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "small",
        "code",
        "abbr",
        "mark",
        "sup",
        "sub",
        "time",
    }
)
_BLOCK_TAGS = frozenset({"p", "li", "dd", "dt", "blockquote", "pre", "figcaption", "caption"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def _is_hidden(tag: Any) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = str(tag.get("style", "")).replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def extract_html(html: str, fallback_title: str | None = None) -> Document:
    """The page's main content: boilerplate (nav, header, footer, aside, scripts, cookie
    banners, hidden elements) removed; <main>, [role=main] or the only <article> when present."""
    from bs4 import BeautifulSoup
    from bs4.element import Tag

    soup = BeautifulSoup(html, "lxml")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup.find_all(_BOILERPLATE_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if not isinstance(tag, Tag) or tag.decomposed:
            continue
        classes: Any = tag.get("class") or []
        names = " ".join(
            [*(classes if isinstance(classes, list) else [classes]), str(tag.get("id", ""))]
        )
        if (
            tag.get("role") in _BOILERPLATE_ROLES
            or _is_hidden(tag)
            or (names.strip() and _BOILERPLATE_NAMES.search(names))
        ):
            tag.decompose()
    root: Any = soup.find("main") or soup.select_one('[role="main"]')
    if root is None:
        articles = soup.find_all("article")
        root = articles[0] if len(articles) == 1 else (soup.body or soup)
    builder = _Builder()
    h1: list[str] = []
    _walk_html(root, builder, h1)
    title = h1[0] if h1 else None
    return builder.build("html", title or page_title or fallback_title)


def _html_text(tag: Any) -> str:
    """The visible text of an element: inline markup joined as written, a space around
    block-level children and line breaks."""
    from bs4.element import NavigableString, Tag

    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, NavigableString):
            if type(node) is NavigableString:
                parts.append(str(node))
        elif isinstance(node, Tag) and node.name not in _INLINE_TAGS:
            parts.append(" ")
    return normalise_space("".join(parts))


def _walk_html(node: Any, builder: _Builder, h1: list[str]) -> None:
    from bs4.element import NavigableString, Tag

    loose: list[str] = []

    def flush() -> None:
        if loose:
            builder.block(normalise_space("".join(loose)))
            loose.clear()

    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString and child.strip():
                loose.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in _HEADINGS:
            flush()
            heading = _html_text(child)
            if _HEADINGS[name] == 1:
                h1.append(normalise_space(heading))
            builder.heading(_HEADINGS[name], heading)
        elif name == "table":
            flush()
            _html_table(child, builder)
        elif name == "li" or name in _BLOCK_TAGS:
            flush()
            nested = child.find_all(["ul", "ol", "table"], recursive=False)
            for inner in nested:
                inner.extract()
            builder.block(_html_text(child))
            for inner in nested:
                _walk_html(inner, builder, h1)
        elif name == "br":
            flush()
        elif name in _INLINE_TAGS:
            loose.append(_html_text(child))
        else:
            flush()
            _walk_html(child, builder, h1)
    flush()


def _html_table(table: Any, builder: _Builder) -> None:
    """One block per body row, cells labelled with the header row's cells when there is one."""
    headers: list[str] = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue  # a nested table's row
        cells = [_html_text(c) for c in row.find_all(["td", "th"])]
        if row.find("td") is None and not headers:
            headers = cells
            continue
        builder.block(_table_row(headers, cells))


# --- PDF -------------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    size: float
    bold: bool
    y: float
    page: int


def extract_pdf(data: bytes, fallback_title: str | None = None) -> Document:
    """The text layer, by pypdf. Lines set in a larger type than the body (or bold short lines)
    are headings; the vertical gaps between lines separate paragraphs."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unprocessable("PDF is encrypted; upload an unprotected copy")
        lines: list[_Line] = []
        for number, page in enumerate(reader.pages):
            lines.extend(_pdf_lines(page, number))
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise Unprocessable(f"not a readable PDF: {exc}") from exc
    meta_title = None
    try:
        info = reader.metadata
        meta_title = normalise_space(str(info.title)) if info and info.title else None
    except (PdfReadError, ValueError, KeyError, TypeError):
        meta_title = None
    lines = _drop_page_furniture(lines)
    if not lines:
        raise Unprocessable("PDF has no text layer (scanned pages need OCR first)")
    return _pdf_document(lines, meta_title or fallback_title)


_PAGE_NUMBER = re.compile(r"^(page|p\.)?\s*\d+\s*((of|/|de|sur)\s*\d+)?$", re.IGNORECASE)


def _drop_page_furniture(lines: list[_Line]) -> list[_Line]:
    """Page numbers, and running headers or footers (the same line on most pages)."""
    pages = len({ln.page for ln in lines})
    seen = Counter(ln.text for ln in {(ln.page, ln.text): ln for ln in lines}.values())
    repeated = {text for text, n in seen.items() if pages >= 3 and n > pages / 2}
    return [ln for ln in lines if not _PAGE_NUMBER.match(ln.text) and ln.text not in repeated]


def _pdf_lines(page: Any, number: int) -> list[_Line]:
    segments: list[tuple[str, float, bool, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text:
            return
        # Effective size: the font size scaled by the text and current transformation matrices.
        scale_y = abs(tm[3] * cm[3] + tm[1] * cm[2]) or abs(tm[3]) or 1.0
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str(font.get("/BaseFont", "")) if font else ""
        bold = "bold" in name.lower() or "black" in name.lower()
        segments.append((text, float(size) * scale_y, bold, y))

    page.extract_text(visitor_text=visit)
    lines: list[_Line] = []
    current: list[tuple[str, float, bool, float]] = []

    def close() -> None:
        text = normalise_space("".join(s[0] for s in current))
        if text:
            sizes = Counter[float]()
            for s in current:
                if s[0].strip():
                    sizes[round(s[1], 1)] += len(s[0])
            bold = all(s[2] for s in current if s[0].strip())
            ys = [s[3] for s in current if s[0].strip() and s[3]]
            lines.append(
                _Line(text, sizes.most_common(1)[0][0], bold, ys[0] if ys else 0.0, number)
            )
        current.clear()

    for segment in segments:
        parts = segment[0].split("\n")
        for index, part in enumerate(parts):
            if index > 0:
                close()
            if part:
                current.append((part, *segment[1:]))
    close()
    return lines


def _pdf_document(lines: list[_Line], title: str | None) -> Document:
    weights = Counter[float]()
    for line in lines:
        weights[line.size] += len(line.text)
    body = weights.most_common(1)[0][0]
    heading_sizes = sorted({ln.size for ln in lines if ln.size >= body * 1.15}, reverse=True)
    builder = _Builder()
    paragraph: list[str] = []
    previous: _Line | None = None
    gaps = [
        a.y - b.y
        for a, b in pairwise(lines)
        if a.page == b.page and a.size == body and b.size == body and a.y > b.y
    ]
    line_gap = sorted(gaps)[len(gaps) // 2] if gaps else body * 1.2
    first_heading: str | None = None

    def flush() -> None:
        if paragraph:
            builder.block(_join_lines(paragraph))
            paragraph.clear()

    for line in lines:
        words = len(line.text.split())
        is_heading = line.size in heading_sizes and words <= 20
        is_bold_heading = (
            line.bold and line.size >= body and words <= 10 and line.text[-1:] not in ".,;"
        )
        if is_heading or is_bold_heading:
            flush()
            level = heading_sizes.index(line.size) + 1 if is_heading else len(heading_sizes) + 1
            builder.heading(level, line.text)
            first_heading = first_heading or line.text
            previous = None
            continue
        if previous is not None:
            gap = previous.y - line.y if previous.page == line.page else None
            if gap is None:
                if _ends_sentence(previous.text):
                    flush()
            elif gap > line_gap * 1.45 or gap < 0:
                flush()
        if re.match(r"^([-•·*]|\d+[.)])\s+", line.text):
            flush()
            paragraph.append(re.sub(r"^([-•·*]|\d+[.)])\s+", "", line.text))
        else:
            paragraph.append(line.text)
        previous = line
    flush()
    return builder.build("pdf", first_heading or title)
