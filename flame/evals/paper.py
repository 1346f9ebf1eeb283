"""The FLAMe paper's published numbers (Vu et al. 2024; PAPER.md §7.4-7.6), in percent, for
reference rows of the report. A paper value is shown only in a column whose items match
the paper's: a complete RewardBench section or LLM-AggreFact use case (never a partial
one), and held-out sets built from the same public human judgments (`APPROXIMATE` marks
those whose exact item set is not verified equal to the paper's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SECTIONS = ("overall", "Chat", "Chat Hard", "Safety", "Reasoning")
TABLE2_REWARDBENCH = {  # Table 2: overall, Chat, Chat Hard, Safety, Reasoning
    "Nemotron-4-340B-Reward": (92.2, 95.8, 87.1, 92.2, 93.6),
    "Cohere May 2024": (89.5, 96.4, 71.3, 92.7, 97.7),
    "Llama3-70B-SteerLM-RM": (89.0, 91.3, 80.3, 93.7, 90.6),
    "GPT-3.5-turbo-0125": (64.5, 92.2, 44.5, 62.3, 59.1),
    "Prometheus-2-8x7B": (75.3, 93.0, 47.1, 83.5, 77.4),
    "Llama-3-70B-Instruct": (76.0, 97.6, 58.9, 69.2, 78.5),
    "Mixtral-8x7B": (77.8, 95.0, 64.0, 73.4, 78.7),
    "Claude-3-Opus": (80.7, 94.7, 60.3, 89.1, 78.7),
    "Gemini-1.5-Flash": (82.1, 92.2, 63.5, 87.7, 85.1),
    "GPT-4o": (84.7, 96.6, 70.4, 86.7, 84.9),
    "GPT-4-0125": (85.9, 95.3, 74.3, 87.2, 86.9),
    "Gemini-1.5-Pro": (88.1, 92.3, 80.6, 87.5, 92.0),
    "PaLM-2-24B (Flan)": (62.9, 89.9, 61.2, 55.3, 45.2),
    "FLAMe-24B": (86.0, 94.7, 66.2, 88.5, 94.7),
    "FLAMe-RM-24B": (87.8, 92.2, 75.7, 89.6, 93.8),
    "FLAMe-Opt-RM-24B": (87.0, 92.2, 77.0, 86.2, 92.5),
}
USE_CASES = ("overall", "LLM-FactVerify", "Wiki-FactVerify", "Summarization", "Long-form QA")
TABLE3_AGGREFACT = {  # Table 3: overall, LLM-FactVerify, Wiki-FactVerify, Summarization, Long-form QA
    "GPT-3.5-turbo-0125": (70.0, 80.1, 71.1, 64.6, 65.4),
    "Mixtral-8x7B": (73.8, 73.8, 50.8, 78.1, 76.6),
    "Llama-3-70B-Instruct": (76.1, 75.3, 58.4, 80.3, 77.7),
    "Claude-3-Opus": (79.2, 78.6, 70.6, 83.8, 75.0),
    "GPT-4o": (80.2, 79.6, 71.6, 85.0, 76.0),
    "GPT-4-0125": (80.6, 79.6, 71.6, 85.3, 77.3),
    "PaLM-2-24B": (54.8, 34.4, 28.9, 68.2, 71.7),
    "FLAMe-24B": (81.1, 82.3, 77.7, 85.3, 72.7),
    "FLAMe-RM-24B": (80.8, 82.6, 77.2, 85.4, 70.9),
    "FLAMe-Opt-RM-24B": (80.2, 77.6, 81.2, 84.7, 74.8),
}
HELDOUT_SETS = ("RankGen", "CoPoet", "ContrSearch", "HHH")
TABLE1_HELDOUT = {  # Table 1 columns RankGen, CoPoet, ContrSearch, HHH
    "Llama-3-70B-Instruct": (65.6, 53.6, 53.1, 91.9),
    "Mixtral-8x7B": (63.3, 52.9, 56.6, 90.0),
    "GPT-3.5-turbo-0125": (58.2, 49.0, 57.5, 85.5),
    "Claude-3-Opus": (55.1, 49.0, 45.1, 94.6),
    "GPT-4-0125": (62.5, 56.9, 55.8, 94.6),
    "GPT-4o": (66.0, 55.6, 57.5, 92.3),
    "PaLM-2-24B (Flan)": (58.2, 54.2, 46.0, 85.5),
    "FLAMe-24B": (62.1, 53.6, 69.9, 91.4),
    "FLAMe-RM-24B": (65.2, 57.5, 57.5, 91.0),
    "FLAMe-Opt-RM-24B": (69.5, 52.9, 48.7, 89.1),
}
# Held-out sets whose exact item set (sampling, tie handling) is not verified equal to the paper's.
APPROXIMATE = {"heldout": {"RankGen", "CoPoet", "ContrSearch"}}


def published() -> dict[str, dict[str, dict[str, float]]]:
    """benchmark -> paper model -> {headline key: fraction}."""
    def table(rows: dict[str, tuple[float, ...]], keys: tuple[str, ...]) -> dict[str, dict[str, float]]:
        return {model: {k: v / 100 for k, v in zip(keys, values)} for model, values in rows.items()}

    return {
        "rewardbench": table(TABLE2_REWARDBENCH, SECTIONS),
        "aggrefact": table(TABLE3_AGGREFACT, USE_CASES),
        "heldout": table(TABLE1_HELDOUT, HELDOUT_SETS),
    }


def fits(key: str, summaries: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a paper value belongs beside these runs' `key` column: every run judged every
    item it loaded (no --limit draw) and has a complete (not partial) value there."""
    return bool(summaries) and all(
        s["judged"] == s["loaded"] and (a := s["aggregates"] or {}).get("headline", {}).get(key) is not None
        and key not in a.get("partial", []) for s in summaries)
