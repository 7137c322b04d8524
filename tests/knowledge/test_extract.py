"""Extraction of realistic HTML, PDF, Markdown and text; chunking by the model's own tokenizer."""

from __future__ import annotations

from itertools import pairwise

import pytest
from tests.knowledge.corpus_tools import CORPUS, render_pdf

from tradeline.exceptions import Unprocessable
from tradeline.knowledge.chunking import HEADING_SEPARATOR, chunk_document
from tradeline.knowledge.embedding import MAX_TOKENS, count_tokens
from tradeline.knowledge.extract import (
    Document,
    Section,
    extract,
    extract_html,
    extract_markdown,
    extract_pdf,
    extract_text,
)
from tradeline.knowledge.linguistics import detect_language, split_sentences

BOILERPLATE = (
    "Contact us today for a free quote",
    "uses cookies",
    "All rights reserved",
    "Related articles",
    "dataLayer",
    "font-family",
    "Privacy policy",
)


def test_html_keeps_the_main_content_and_drops_boilerplate() -> None:
    doc = extract((CORPUS / "warranty.html").read_bytes(), "warranty.html")
    text = doc.text
    assert doc.title == "Our warranty"
    assert "guaranteed for two years from the date the job is completed" in text
    assert "15 year heat exchanger warranty" in text
    assert "Fixtures supplied by the customer." in text
    for junk in BOILERPLATE:
        assert junk not in text, junk
    headings = [s.headings for s in doc.sections]
    assert ("Our warranty", "What the warranty does not cover") in headings
    covered = next(s for s in doc.sections if s.headings[-1] == "What the warranty does not cover")
    assert covered.blocks == [
        "Damage caused by freezing, flooding or misuse.",
        "Fixtures supplied by the customer.",
        "Drain clogs that come back because of items flushed down the toilet.",
    ]


def test_html_without_main_uses_the_article_and_skips_hidden_and_sidebar() -> None:
    html = """<html><head><title>Tips</title></head><body>
    <div id="menu"><a href="/">Home</a> <a href="/a">About</a></div>
    <article><h1>Freeze tips</h1><p>Keep the heat at <b>15</b>&nbsp;°C.</p>
    <p style="display: none">hidden promo</p><div aria-hidden="true">icon text</div>
    <table><tr><th>Pipe</th><th>Insulation</th><th>Cost</th></tr>
    <tr><td>Copper</td><td>Foam</td><td>$4/ft</td></tr></table>
    <!-- a comment --></article>
    <div class="sidebar">Subscribe now</div></body></html>"""
    doc = extract_html(html)
    assert doc.title == "Freeze tips"
    blocks = [b for s in doc.sections for b in s.blocks]
    assert "Keep the heat at 15 °C." in blocks
    assert "Pipe: Copper; Insulation: Foam; Cost: $4/ft" in blocks
    text = doc.text
    for junk in ("hidden promo", "icon text", "Subscribe now", "About", "a comment"):
        assert junk not in text, junk


def test_pdf_text_layer_headings_by_type_size_and_paragraphs() -> None:
    source = (
        "# Heating warranty 2026\n\n"
        "Furnaces we install carry a ten year parts warranty. Labour is covered for two years "
        "from the installation date, including the annual tune-up visit when it is booked in "
        "time; the text wraps over several lines of the page to test paragraph joining.\n\n"
        "## Exclusions\n\n"
        "Damage from power surges is excluded.\n\n"
        "Filters are consumables.\n\n"
        "## Claims\n\n" + "To make a claim, call the office with your invoice number. " * 30
    )
    pdf = render_pdf(source)
    doc = extract_pdf(pdf)
    assert doc.title == "Heating warranty 2026"
    by_heading = {s.headings: s.blocks for s in doc.sections}
    intro = by_heading[("Heating warranty 2026",)]
    assert len(intro) == 1 and intro[0].startswith("Furnaces we install")
    assert intro[0].endswith("paragraph joining.")
    assert "wraps over several lines" in intro[0]  # joined across line breaks
    assert by_heading[("Heating warranty 2026", "Exclusions")] == [
        "Damage from power surges is excluded.",
        "Filters are consumables.",
    ]
    claims = by_heading[("Heating warranty 2026", "Claims")]
    assert sum(b.count("To make a claim") for b in claims) == 30  # across the page break
    assert "Page 1" not in doc.text and "Page 2" not in doc.text  # page furniture dropped
    chunks = chunk_document(doc)
    assert all(c.token_count <= MAX_TOKENS for c in chunks)
    assert any(c.heading == "Heating warranty 2026 › Exclusions" for c in chunks)


def test_pdf_errors_are_unprocessable() -> None:
    with pytest.raises(Unprocessable):
        extract(b"%PDF-1.4 not really a pdf", "broken.pdf")
    with pytest.raises(Unprocessable, match="unsupported file type"):
        extract(b"x", "photo.jpg")
    with pytest.raises(Unprocessable, match="binary"):
        extract(b"\x00\x01\x02", "notes.txt")


def test_markdown_tables_lists_and_heading_paths() -> None:
    doc = extract_markdown((CORPUS / "price-list-2026.md").read_text(encoding="utf-8"))
    assert doc.title == "Price list (current, effective January 1, 2026)"
    jobs = next(s for s in doc.sections if s.headings[-1] == "Fixed-price jobs")
    assert "Sewer camera inspection: $249" in jobs.blocks
    labour = next(s for s in doc.sections if s.headings[-1] == "Service calls and labour")
    assert (
        labour.blocks[0]
        == "Service call fee: $110, which includes the first 30 minutes of work on site."
    )


def test_plain_text_headings() -> None:
    doc = extract_text((CORPUS / "service-area.txt").read_text(encoding="utf-8"), "service area")
    assert [s.headings for s in doc.sections] == [
        ("SERVICE AREA",),
        ("Travel outside the service area",),
    ]
    assert doc.sections[1].blocks[0].startswith("For Rockland, Arnprior and Wakefield")


def test_chunks_fit_the_model_keep_headings_and_overlap() -> None:
    paragraphs = [
        f"Paragraph {i} explains how the technician inspects valve number {i} and records the "
        f"pressure reading before and after the repair, then cleans the work area."
        for i in range(40)
    ]
    doc = Document(
        "markdown",
        "Procedures",
        [
            Section(("Procedures", "Valves"), paragraphs),
            Section(("Procedures", "Billing"), ["Invoices are emailed the same day."]),
        ],
    )
    chunks = chunk_document(doc)
    valves = [c for c in chunks if c.heading == f"Procedures{HEADING_SEPARATOR}Valves"]
    assert len(valves) > 3
    for chunk in chunks:
        # The real tokenizer, [CLS] and [SEP] included: never more than the model reads.
        assert count_tokens(chunk.embedded_text) + 2 == chunk.token_count <= MAX_TOKENS
    for first, second in pairwise(valves):
        last_sentence = split_sentences(first.body)[-1]
        assert second.body.startswith(last_sentence)  # overlap with the previous chunk
    billing = [c for c in chunks if c.heading and c.heading.endswith("Billing")]
    assert [c.body for c in billing] == ["Invoices are emailed the same day."]  # no crossing


def test_an_overlong_sentence_is_cut_to_fit() -> None:
    doc = Document("text", None, [Section((), ["word " * 900 + "end."])])
    chunks = chunk_document(doc)
    assert len(chunks) >= 4
    assert all(c.token_count <= MAX_TOKENS for c in chunks)


def test_language_detection() -> None:
    assert detect_language("Nous débouchons les éviers et les drains de plancher.") == "fr"
    assert detect_language("We clear clogged sinks and floor drains.") == "en"
    assert detect_language("Vos estimations sont-elles gratuites?") == "fr"
    assert detect_language("$110") == "en"
    assert detect_language("$110", default="fr") == "fr"
