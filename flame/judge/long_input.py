"""Judging an example whose prompt is longer than the model's context, MiniCheck's way.

LLM-AggreFact's documents run to 24,000 tokens, more than many judges read. MiniCheck
(Tang et al. 2024, the benchmark's authors) splits such a document into chunks of whole
sentences that fit, checks the claim against each chunk, and keeps the highest support
probability: a claim is supported when some part of the document supports it.

`LongInput(field, keep)` asks the Autorater for that: when the backend reports a prompt too
long (`PromptTooLong`, with its token count and limit), the input `field` is cut into
chunks of whole sentences sized from the prompt's tokens per character, each chunk is
judged, and the judgment kept is the one with the highest probability of label `keep` (for
generated verdicts, the first chunk whose verdict is `keep`). A chunk still too long is
split again. Backends that cannot count tokens (a remote server) never report
`PromptTooLong`, so their over-long prompts stay invalid judgments with the server's error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SENTENCE_END = re.compile(r"((?<=[.!?])\s+|\s*\n\s*)")  # captured: line breaks are kept
SAFETY = 0.9  # of the context a chunk's prompt may fill: tokens per character vary along a text
MIN_CHUNK_CHARS = 200


@dataclass(frozen=True)
class LongInput:
    """Split input `field` of an over-long example into chunks; keep the chunk judged most `keep`."""

    field: str
    keep: str


def chunk_budget(prompt_chars: int, field_chars: int, tokens: int, limit: int) -> int:
    """Characters of the split field that fit one prompt: the model's limit (less a margin) in
    characters at the prompt's tokens per character, less what the rest of the prompt takes."""
    per_char = tokens / max(prompt_chars, 1)
    return int(SAFETY * limit / per_char) - (prompt_chars - field_chars)


def split_text(text: str, budget: int) -> list[str]:
    """`text` cut into chunks of at most `budget` characters, at sentence ends and line breaks
    where it can (a chunk keeps its line breaks), inside a sentence (at a space) only when the
    sentence alone is too long."""
    if budget < MIN_CHUNK_CHARS:
        raise ValueError(f"only {budget} characters of room for the split field (need {MIN_CHUNK_CHARS})")
    parts = SENTENCE_END.split(text.strip())
    pieces: list[tuple[str, str]] = []  # (sentence, the separator after it)
    for sentence, sep in zip(parts[::2], parts[1::2] + [""]):
        while len(sentence) > budget:
            cut = sentence.rfind(" ", 0, budget)
            cut = cut if cut > 0 else budget
            pieces.append((sentence[:cut], " "))
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append((sentence, "\n" if "\n" in sep else " "))
    chunks: list[str] = []
    current, before = "", ""
    for sentence, sep in pieces:
        if current and len(current) + len(before) + len(sentence) <= budget:
            current += before + sentence
        else:
            if current:
                chunks.append(current)
            current = sentence
        before = sep
    return chunks + ([current] if current else [])
