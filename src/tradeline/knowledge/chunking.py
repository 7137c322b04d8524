"""Sections to chunks: at most 256 word-pieces each, heading included, with sentence overlap.

Chunks never cross a section: a passage about the 2023 price list can never carry the current
list's heading. Each chunk is embedded as `heading path \\n body`, so the heading is context for
the vector and for the full-text index (weighted above the body), and it is counted inside the
256-piece budget the model reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tradeline.knowledge.embedding import MAX_TOKENS, count_tokens_batch, truncate_to_tokens
from tradeline.knowledge.extract import Document
from tradeline.knowledge.linguistics import Lang, detect_language, split_sentences

TARGET_TOKENS = 128  # a chunk is closed past this at a paragraph end (MiniLM was trained on 128)
OVERLAP_TOKENS = 40  # the next chunk of a section restates up to this much of the previous one
MAX_HEADING_TOKENS = 48
HEADING_SEPARATOR = " › "

Counter = Callable[[Sequence[str]], list[int]]
Unit = tuple[str, int, bool]  # (sentence, word-pieces, ends a block)


@dataclass(frozen=True)
class ChunkDraft:
    ordinal: int
    heading: str | None
    body: str
    language: Lang
    token_count: int  # of the embedded text, [CLS]/[SEP] included

    @property
    def embedded_text(self) -> str:
        return f"{self.heading}\n{self.body}" if self.heading else self.body


def heading_path(title: str | None, headings: Sequence[str]) -> str | None:
    parts = list(headings)
    if title and (not parts or parts[0].casefold() != title.casefold()):
        parts.insert(0, title)
    return HEADING_SEPARATOR.join(parts) if parts else None


def _units(blocks: Sequence[str], budget: int, counter: Counter) -> list[Unit]:
    """(sentence, pieces, ends a block) for every sentence; sentences longer than the budget
    are cut at word boundaries."""
    units: list[Unit] = []
    for block in blocks:
        sentences = split_sentences(block)
        counts = counter(sentences)
        for index, (sentence, pieces) in enumerate(zip(sentences, counts, strict=True)):
            last = index == len(sentences) - 1
            if pieces <= budget:
                units.append((sentence, pieces, last))
                continue
            words = sentence.split()
            piece: list[str] = []
            for word in words:
                candidate = " ".join([*piece, word])
                if piece and counter([candidate])[0] > budget:
                    text = " ".join(piece)
                    units.append((text, counter([text])[0], False))
                    piece = [word]
                else:
                    piece.append(word)
            if piece:
                text = truncate_to_tokens(" ".join(piece), budget)
                units.append((text, counter([text])[0], last))
    return units


def _join(units: Sequence[Unit]) -> str:
    """Sentences of one paragraph joined by a space; paragraphs, list items and table rows by
    a line break (so the sentence splitter sees them apart again)."""
    out = ""
    for text, _, ends_block in units:
        out += text + ("\n" if ends_block else " ")
    return out.strip()


def _section_chunks(
    heading: str | None,
    units: list[Unit],
    *,
    budget: int,
    target: int,
    overlap: int,
    max_tokens: int,
    counter: Counter,
) -> list[tuple[str, int]]:
    """(body, pieces of the embedded text) for one section's sentences."""
    out: list[tuple[str, int]] = []
    pending = list(units)
    current: list[Unit] = []
    size = 0
    carried = 0  # leading units of `current` repeated from the previous chunk

    def close() -> None:
        nonlocal current, size, carried
        body = _join(current)
        pieces = counter([f"{heading}\n{body}" if heading else body])[0] + 2
        # WordPiece counts add up over whitespace-separated text, so this never loops; were it
        # ever to, the sentences moved out go to the next chunk rather than being lost.
        while pieces > max_tokens and len(current) - carried > 1:
            pending.insert(0, current.pop())
            body = _join(current)
            pieces = counter([f"{heading}\n{body}" if heading else body])[0] + 2
        out.append((body, pieces))
        # Overlap: up to two of this chunk's last sentences, at most `overlap` pieces.
        tail: list[Unit] = []
        for unit in reversed(current[carried:]):
            if sum(u[1] for u in tail) + unit[1] > overlap or len(tail) == 2:
                break
            tail.insert(0, unit)
        if len(tail) == len(current):
            tail = []
        current, size, carried = tail, sum(u[1] for u in tail), len(tail)

    while pending:
        unit = pending.pop(0)
        if current and size + unit[1] > budget:
            close()
            if size + unit[1] > budget:  # the overlap itself leaves no room
                current, size, carried = [], 0, 0
        current.append(unit)
        size += unit[1]
        # Close at a paragraph end past the target, or at any sentence end well past it.
        if (size >= target and unit[2]) or size >= target * 5 // 4:
            close()
    if len(current) > carried:
        close()
    return out


def chunk_document(
    document: Document,
    *,
    default_language: Lang = "en",
    target: int = TARGET_TOKENS,
    overlap: int = OVERLAP_TOKENS,
    max_tokens: int = MAX_TOKENS,
    counter: Counter = count_tokens_batch,
) -> list[ChunkDraft]:
    drafts: list[ChunkDraft] = []
    for section in document.sections:
        heading = heading_path(document.title, section.headings)
        heading_pieces = 0
        if heading:
            heading_pieces = counter([heading])[0]
            if heading_pieces > MAX_HEADING_TOKENS:
                # Keep the most specific end of a very long heading path.
                heading = truncate_to_tokens(heading[::-1], MAX_HEADING_TOKENS)[::-1].lstrip()
                heading_pieces = counter([heading])[0]
        # [CLS] + heading + [SEP]; the newline between heading and body is not a piece.
        budget = max_tokens - 2 - heading_pieces
        units = _units(section.blocks, budget, counter)
        for body, pieces in _section_chunks(
            heading,
            units,
            budget=budget,
            target=target,
            overlap=overlap,
            max_tokens=max_tokens,
            counter=counter,
        ):
            drafts.append(
                ChunkDraft(
                    ordinal=len(drafts),
                    heading=heading,
                    body=body,
                    language=detect_language(body, default_language),
                    token_count=pieces,
                )
            )
    return drafts
