"""The FLAMe paper's published numbers (Vu et al. 2024; PAPER.md §7.4-7.6), in percent, for
reference rows of the report. A paper value is shown only in a column whose items match
the paper's: a complete RewardBench section or LLM-AggreFact use case (never a partial
one), and held-out sets and the other Table 1 benchmarks built from the same public human
judgments (`APPROXIMATE` marks those whose exact item set is not verified equal to the
paper's). `TABLE1` is the paper's whole Table 1, which `flame report` sets under a suite run
(flame.evals.suite).
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
# Table 1, all 12 benchmarks (PAPER.md §7.4), in the paper's column order.
TABLE1_COLUMNS = ("RewardBench", "LLM-AggreFact", "SummFeedback", "AlpacaFarm", "RankGen", "CoPoet", "ContrSearch",
                  "HHH", "Dipper", "LitTrans", "LFQAEval", "HelpSteer")
TABLE1 = {
    "Llama-3-70B-Instruct": (76.1, 76.1, 50.8, 53.9, 65.6, 53.6, 53.1, 91.9, 42.8, 60.5, 71.1, 39.7),
    "Mixtral-8x7B": (77.8, 73.8, 43.8, 55.1, 63.3, 52.9, 56.6, 90.0, 42.2, 61.7, 71.5, 34.0),
    "GPT-3.5-turbo-0125": (64.5, 70.0, 15.6, 55.5, 58.2, 49.0, 57.5, 85.5, 45.0, 54.3, 69.9, 32.0),
    "Claude-3-Opus": (80.7, 79.2, 31.6, 49.6, 55.1, 49.0, 45.1, 94.6, 50.6, 71.1, 71.1, 41.3),
    "GPT-4-0125": (85.9, 80.6, 46.5, 49.6, 62.5, 56.9, 55.8, 94.6, 45.0, 67.6, 77.0, 37.9),
    "GPT-4o": (84.7, 80.2, 30.9, 50.4, 66.0, 55.6, 57.5, 92.3, 45.6, 72.7, 75.0, 40.1),
    "PaLM-2-24B (Flan)": (62.9, 54.8, 13.3, 52.3, 58.2, 54.2, 46.0, 85.5, 48.3, 62.5, 70.3, 20.0),
    "FLAMe-24B": (86.0, 81.1, 48.0, 58.2, 62.1, 53.6, 69.9, 91.4, 48.3, 67.2, 74.2, 48.4),
    "FLAMe-RM-24B": (87.8, 80.8, 53.1, 57.8, 65.2, 57.5, 57.5, 91.0, 47.8, 67.6, 72.7, 46.6),
    "FLAMe-Opt-RM-24B": (87.0, 80.2, 52.3, 53.1, 69.5, 52.9, 48.7, 89.1, 48.3, 69.5, 69.5, 35.9),
}
HELDOUT_SETS = ("RankGen", "CoPoet", "ContrSearch", "HHH", "LitTrans")
# The single-set benchmarks of Table 1: benchmark -> (its Table 1 column, its headline key).
SINGLE_COLUMNS = {"alpacafarm": ("AlpacaFarm", "accuracy"), "lfqaeval": ("LFQAEval", "accuracy"),
                  "helpsteer": ("HelpSteer", "mean"), "summfeedback": ("SummFeedback", "mean")}


def table1_column(column: str) -> dict[str, float]:
    """Paper model -> its Table 1 value (percent) in one column."""
    i = TABLE1_COLUMNS.index(column)
    return {model: values[i] for model, values in TABLE1.items()}


# Benchmark -> headline keys whose exact item set (sampling, tie handling, which release) is
# not verified equal to the paper's: the paper's values there are shown with a dagger.
APPROXIMATE = {"heldout": {"RankGen", "CoPoet", "ContrSearch", "LitTrans"}, "alpacafarm": {"accuracy"},
               "lfqaeval": {"accuracy"}, "helpsteer": {"mean"}, "summfeedback": {"mean"}}


def published() -> dict[str, dict[str, dict[str, float]]]:
    """benchmark -> paper model -> {headline key: fraction}."""
    def table(rows: dict[str, tuple[float, ...]], keys: tuple[str, ...]) -> dict[str, dict[str, float]]:
        return {model: {k: v / 100 for k, v in zip(keys, values)} for model, values in rows.items()}

    return {
        "rewardbench": table(TABLE2_REWARDBENCH, SECTIONS),
        "aggrefact": table(TABLE3_AGGREFACT, USE_CASES),
        "heldout": {model: {k: table1_column(k)[model] / 100 for k in HELDOUT_SETS} for model in TABLE1},
        **{bench: {model: {key: v / 100} for model, v in table1_column(column).items()}
           for bench, (column, key) in SINGLE_COLUMNS.items()},
    }


def fits(key: str, summaries: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a paper value belongs beside these runs' `key` column: every run judged every
    item it loaded (no --limit draw) and has a complete (not partial) value there."""
    return bool(summaries) and all(
        s["judged"] == s["loaded"] and (a := s["aggregates"] or {}).get("headline", {}).get(key) is not None
        and key not in a.get("partial", []) for s in summaries)
