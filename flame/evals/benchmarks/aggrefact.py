"""LLM-AggreFact (Tang et al. 2024): is the claim fully supported by the grounding document?

Data:
- `official`: the `test` split of `lytang/LLM-AggreFact` (dataset, doc, claim, label: 1 if
  the claim is supported, 0 otherwise) through HF datasets (the dataset is gated: accept its
  terms on the Hub and log in first).
- `file`: a local JSONL (or JSON list) file with the same fields.
- `mirror`: rebuilt from mirrored public files by flame's adapters: `Wice` (WiCE claim-level
  test split, 358 claims, exactly LLM-AggreFact's; supported -> Yes, partially_supported and
  not_supported -> No, since partial support is not full support) and `FactCheck-GPT-approx`
  (Factcheck-Bench passage-claim pairs: completely-support -> Yes, partially-support and
  refute -> No, irrelevant passages excluded). The latter does not reproduce LLM-AggreFact's
  1,566 FactCheck-GPT rows (see flame.data.sources.factcheck_gpt), so it is reported as an
  approximation and never counted in a use case or the mean.

Every item is judged with the one grounding prompt shared by the adapters (flame.data.sources.wice).

A document longer than the judge's context (WiCE has documents of up to 24,000 tokens) is
judged as the benchmark's authors judge it with MiniCheck: in chunks of whole sentences that
fit, the claim against each, keeping the chunk with the highest probability of Yes (a claim
is supported when some part of the document supports it). The row's `chunks` says how many.
Backends that cannot count tokens leave such a document an invalid verdict.

Metric (LLM-AggreFact's): balanced accuracy per dataset (mean recall of Yes and No; an
unreadable verdict is a miss). The overall score is the mean over FLAMe's 10 datasets
(PAPER.md §7.6: Table 3's "Overall" is the dataset mean, not the use-case mean); RAGTruth,
added to LLM-AggreFact later, is scored but not in that mean. Use cases (Table 3) are the
mean balanced accuracy of their datasets. Anything with a dataset missing is marked
partial or left out, naming what is missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Example, Provenance, TaskSpec
from flame.data.readers import clean, get
from flame.data.sources.wice import CLAIM, DOCUMENT, NO, SUPPORTED, YES, grounding_task
from flame.judge.long_input import LongInput

from ..metrics import balanced_accuracy, by_key, mean
from .base import (
    FILE,
    MIRROR,
    OFFICIAL,
    Aggregate,
    Benchmark,
    Item,
    Loaded,
    file_items,
    mirror_items,
    official_items,
)

NAME = "aggrefact"
HF_ID, HF_SPLIT = "lytang/LLM-AggreFact", "test"
FLAME_DATASETS = ("AggreFact-CNN", "AggreFact-XSum", "TofuEval-MediaS", "TofuEval-MeetB", "Wice", "Reveal",
                  "ClaimVerify", "FactCheck-GPT", "ExpertQA", "Lfqa")
USE_CASES = {  # PAPER.md §7.6 (Table 3)
    "LLM-FactVerify": ("ClaimVerify", "FactCheck-GPT", "Reveal"),
    "Wiki-FactVerify": ("Wice",),
    "Summarization": ("AggreFact-CNN", "AggreFact-XSum", "TofuEval-MediaS", "TofuEval-MeetB"),
    "Long-form QA": ("ExpertQA", "Lfqa"),
}
APPROXIMATE = {"FactCheck-GPT-approx": "FactCheck-GPT"}
MIRROR_SUBSETS = {"wice": {"wice_test": "Wice"}, "factcheck_gpt": {"factcheck_gpt_support": "FactCheck-GPT-approx"}}
LABELS = {1: YES, 0: NO}

TASK = grounding_task(
    NAME, source=NAME, license="CC-BY-ND-4.0 (benchmark); components keep their own licenses",
    notes="One prompt for all LLM-AggreFact datasets (FLAMe's protocol); label 1 -> Yes, 0 -> No.",
)
PROTOCOL = ("llm-aggrefact: balanced accuracy per dataset (invalid verdict = miss); overall = mean over FLAMe's 10 "
            "datasets; use cases = mean of their datasets (PAPER.md Table 3); partial groups marked, no overall "
            "unless all 10 datasets are present; a document longer than the judge's context is judged in chunks "
            "of whole sentences, keeping the chunk with the highest P(Yes) (MiniCheck)")
# MiniCheck's way with documents longer than the judge reads (flame.judge.long_input)
LONG_DOCUMENT = LongInput(DOCUMENT, YES)


def _record_item(record: Any, prov: Provenance) -> Item:
    where = (prov.file, prov.row)
    dataset, doc, claim = (clean(get(record, k, str, where)) for k in ("dataset", "doc", "claim"))
    for key, value in (("dataset", dataset), ("doc", doc), ("claim", claim)):
        if not value:
            raise DataError(prov.file, "empty text", prov.row, key)
    label = get(record, "label", int, where)
    if label not in LABELS:
        raise DataError(prov.file, f"label must be 0 or 1, got {label}", prov.row, "label")
    ex = Example(TASK.name, {DOCUMENT: doc, CLAIM: claim}, {SUPPORTED: LABELS[label]}, Provenance(NAME, prov.file, prov.row))
    return Item(dataset, TASK, ex)


def load_official() -> Loaded:
    """The official test split from the Hugging Face Hub (gated)."""
    return official_items(HF_ID, HF_SPLIT, _record_item)


def load_file(path) -> Loaded:
    """A local file with the official schema (dataset, doc, claim, label)."""
    return file_items(path, _record_item)


def _to_aggrefact(subset: str, task: TaskSpec, ex: Example) -> Item:
    rekeyed = Example(TASK.name, {DOCUMENT: ex.inputs[DOCUMENT], CLAIM: ex.inputs[CLAIM]},
                      {SUPPORTED: ex.targets[SUPPORTED]}, ex.provenance)
    return Item(subset, TASK, rekeyed)


def load_mirror() -> Loaded:
    """Wice (exact) and FactCheck-GPT-approx rebuilt from the mirrored public sources."""
    return mirror_items(MIRROR_SUBSETS, _to_aggrefact,
                        "FactCheck-GPT-approx follows LLM-AggreFact's label definition but not its exact rows; "
                        "it is reported separately and not counted in LLM-FactVerify or the mean")


def headline(bacc: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The 10-dataset mean (None unless all are present) and each use case's mean over its
    datasets present, from per-dataset balanced accuracies (floats, or numpy arrays of
    bootstrap draws as `flame report --paired` computes), with the partial use cases."""
    cases, partial = {}, []
    for case, names in USE_CASES.items():
        present = [n for n in names if n in bacc]
        if present:
            cases[case] = mean(bacc[n] for n in present)
            if len(present) < len(names):
                partial.append(case)
    overall = mean(bacc[d] for d in FLAME_DATASETS) if all(d in bacc for d in FLAME_DATASETS) else None
    return {"overall": overall, **cases}, partial


def aggregate(rows: Sequence[Mapping[str, Any]]) -> Aggregate:
    """Balanced accuracy per dataset, use-case groups and the 10-dataset mean."""
    groups = by_key(rows)
    bacc = {d: balanced_accuracy([r["target"] for r in rs], [r["verdict"] for r in rs]) for d, rs in groups.items()}
    head, partial = headline(bacc)
    cases = {k: v for k, v in head.items() if k != "overall"}
    missing = [d for d in FLAME_DATASETS if d not in bacc]
    notes = [f"no overall score: {len(missing)} of 10 datasets missing ({', '.join(missing)})"] if missing else []
    chunked = Counter(r["subset"] for r in rows if r.get("chunks"))
    if chunked:
        notes.append("judged in chunks (document longer than the judge's context; the most supportive chunk kept): "
                     + ", ".join(f"{n} in {d}" for d, n in sorted(chunked.items())))
    approx = [d for d in bacc if d in APPROXIMATE]
    if approx:
        notes.append("approximate datasets (not in any use case): " + ", ".join(f"{d} ~ {APPROXIMATE[d]}" for d in approx))
    return {
        "headline": head,
        "partial": partial,
        "categories": bacc,
        "tables": {
            "datasets": [{"dataset": d, "balanced_accuracy": v, "n": len(groups[d]),
                          "yes": sum(r["target"] == YES for r in groups[d]),
                          "approximation_of": APPROXIMATE.get(d)} for d, v in bacc.items()],
            "use_cases": [{"use_case": c, "balanced_accuracy": v, "complete": c not in partial,
                           "missing": [n for n in USE_CASES[c] if n not in bacc]} for c, v in cases.items()],
        },
        "missing": missing,
        "notes": notes,
    }


BENCHMARK = Benchmark(
    name=NAME,
    title="LLM-AggreFact",
    loaders={OFFICIAL: load_official, MIRROR: load_mirror, FILE: load_file},
    aggregate=aggregate,
    protocol=PROTOCOL,
    metric="balanced accuracy",
    long_input=LONG_DOCUMENT,
    headline_of=headline,
)
