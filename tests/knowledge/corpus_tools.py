"""The labelled corpus (tests/knowledge/corpus) and the shared evaluation KB, as tests and the
calibration bench load them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tradeline.db import tenant_session
from tradeline.knowledge import service
from tradeline.knowledge.schemas import Hit
from tradeline.organization.schemas import FaqEntry
from tradeline.runtime import Runtime

CORPUS = Path(__file__).parent / "corpus"
SHARED_KB = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "kb"
SHARED_QUESTIONS = CORPUS / "shared_eval_questions.yaml"


@dataclass(frozen=True)
class Question:
    q: str
    lang: str
    doc: str  # file name, or "faq"
    passage: str
    answer: str
    kind: str = "plain"  # "paraphrase": a caller's wording, other words than the document's


def load_questions(
    path: Path = CORPUS / "questions.yaml",
) -> tuple[list[Question], list[str], list[FaqEntry]]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = [Question(**{"lang": "en", **q}) for q in data["questions"]]
    faq = [FaqEntry(**entry) for entry in data.get("faq", [])]
    negatives = [*data.get("unanswerable", []), *data.get("near_miss", [])]
    return questions, negatives, faq


def render_pdf(markdown: str) -> bytes:
    """A realistic text PDF from a small Markdown subset: '#'/'##' headings in larger bold type,
    wrapped body paragraphs, a page footer."""
    from fpdf import FPDF

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 8, f"Page {self.page_no()}", align="C")

    pdf = Report()
    pdf.set_title(markdown.splitlines()[0].lstrip("# ").strip())
    pdf.add_page()
    for block in re.split(r"\n\s*\n", markdown.strip()):
        text = " ".join(line.strip() for line in block.splitlines())
        if text.startswith("## "):
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 14)
            pdf.multi_cell(0, 8, text[3:], new_x="LMARGIN", new_y="NEXT")
        elif text.startswith("# "):
            pdf.set_font("Helvetica", "B", 20)
            pdf.multi_cell(0, 11, text[2:], new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def corpus_files(directory: Path = CORPUS) -> list[tuple[str, bytes]]:
    """(file name, content) of every document; `x.pdf.md` is rendered to the PDF `x.pdf`."""
    files: list[tuple[str, bytes]] = []
    for path in sorted(directory.iterdir()):
        if path.name.endswith(".pdf.md"):
            files.append((path.name[: -len(".md")], render_pdf(path.read_text(encoding="utf-8"))))
        elif path.suffix in (".md", ".txt", ".html"):
            files.append((path.name, path.read_bytes()))
    return files


async def ingest_files(
    runtime: Runtime,
    org_id: uuid.UUID,
    files: list[tuple[str, bytes]],
    faq: list[FaqEntry] | None = None,
) -> int:
    chunks = 0
    async with tenant_session(runtime.maker, org_id) as session:
        for name, data in files:
            result = await service.ingest_bytes(session, runtime, org_id, data, name)
            chunks += result.chunks
        if faq:
            await service.sync_faq(session, runtime, org_id, faq)
    return chunks


def hit_matches(hit: Hit, question: Question) -> bool:
    """The hit is the expected passage: the right document and the passage text in it."""
    right_doc = hit.source_type == "faq" if question.doc == "faq" else hit.uri == question.doc
    text = f"{hit.heading or ''}\n{hit.body}"
    return right_doc and question.passage.casefold() in text.casefold()


def answer_correct(answer: str | None, question: Question) -> bool:
    return answer is not None and question.answer.casefold() in answer.casefold()
