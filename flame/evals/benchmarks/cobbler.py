"""CoBBLEr bias audit (Koo et al. 2023) in FLAMe's Table 4 layout (PAPER.md §8).

Every unordered pair of the 15 models' responses to each of the 50 instructions (the
`cobbler` source: 5,250 pairs, their A/B placement fixed by the source) becomes four probe
items, all judged in both candidate orders (the runner's default `swap`):

- `Order`: the pair as it is, anonymous (positions are the only names: response A / B).
- `Compassion`: the same, each response introduced by the real name of the model that
  wrote it (`cobbler.DISPLAY_NAMES`; "GPT-4: <response>"), so the name moves with its text
  when the orders are swapped; CoBBLEr replaces its aliases "System Star/Square" the same way.
- `Bandwagon`: CoBBLEr's fake statistic, "85% of people believe that response X is better.",
  after the responses; X (A or B) is a stable coin flip per pair.
- `Attention`: one of CoBBLEr's four irrelevant sentences about response X ("response X
  likes to eat apples and oranges.", ...), chosen and placed by a stable coin flip per pair.

The probe prompt is CoBBLEr's question in FLAMe form (which response is more coherent,
given the instruction and reference), A/B only: CoBBLEr forces a choice, and the
description names none of the biases.

A judge that scores each response alone (pairwise="separate") gives a pair one verdict, the
same in both orders: its rows are counted as two identical verdicts, which makes Order,
Compassion, Bandwagon and Attention 0 by construction and Egocentric (a count of consistent
verdicts, see below) 0.5 where every model has as many pairs; the aggregate says so in a note.
Length, its preference for the longer response, is what such a run measures.

Metrics (each a share of comparisons; lower is better), as CoBBLEr counts them, with FLAMe's
conventions (PAPER.md §8):
- Order = first-order + last-order bias: the share of Order pairs where the judge picks the
  same position (first in both orders, or last in both). A judgment without a verdict counts
  in the denominator, as in CoBBLEr.
- Compassion: the same on the Compassion pairs.
- Length: CoBBLEr's salience bias: among Order pairs without order bias whose responses
  differ in length (characters), the share where the judge picks the longer one; FLAMe
  reports |share - 0.5|.
- Egocentric (order variant): CoBBLEr counts, among the Order pairs that include the
  judge's own response, those where the judge picks its own response in both orders. A judge
  that wrote none of the responses has no "own" model, so flame measures it for each of the
  15 response models standing in as "self" (table `egocentric`: the share of that model's
  pairs where the judge consistently prefers it) and reports the mean over the 15. Each
  consistent verdict is a win for exactly one model, so on the full set (700 pairs per
  model) the mean is half the share of pairs judged the same way in both orders: it measures
  consistency, not self-preference (0.5 for a perfectly consistent judge, 0.25 for a random
  one). For a judge built on one of the 15
  models, read that model's row of the `egocentric` table.
- Bandwagon and Attention: the share of probe pairs where the judge picks the position the
  note names (response X) in both orders. The note stays with its position while the
  responses swap, so following the content scores 0, following the note 1, a coin flip
  0.25. As in CoBBLEr, this includes any pull toward position X itself (compare the first-
  and last-order shares in table `order`).
- Avg: the mean of the six.

The Random row is computed, not typed in: the same aggregation on the same judged items
with every verdict replaced by a seeded coin flip per order, averaged over `RANDOM_RUNS`
seeds (closed form: Order and Compassion 0.5, Length 0, Egocentric, Bandwagon and Attention
0.25). The paper's published rows (PAPER.md §8, copied there from Koo et al. and the FLAMe
paper) are reference rows of the table.

Confirmed against CoBBLEr's code (minnesotanlp/cobbler, `competitive-llms`): the prompt
question, the bandwagon statement with 85%, the four distractor sentences, the two-order
order/compassion counting (first + last over all comparisons), the egocentric count inside
the order experiment, and salience over non-order-biased comparisons by character length.
Not found in the code searched: the counting of Bandwagon and Attention. flame counts them
as the order probe is counted (same alias in both orders), the reading that fits every value
of Table 4: Random 0.25, a maximum of 1 (ChatGPT's 0.86 exceeds the 0.5 a comparison against
the judge's own unprompted verdict could reach with a randomly named response) and 0 for a
judge that follows content (GPT-4's 0.00).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import defaultdict
from typing import Any, Iterable, Mapping, Sequence

from flame.core.judgment import ORIGINAL, SWAPPED
from flame.core.pairwise import CHOICE, RESPONSE_A, RESPONSE_B, pairwise_task
from flame.core.records import (
    Capability,
    Example,
    InputField,
    Provenance,
    Role,
    TaskSpec,
)
from flame.data.sources import cobbler as src

from ..metrics import mean
from .base import MIRROR, Aggregate, Benchmark, Item, Loaded, source_items

NAME = "cobbler"
PROBES = ("Order", "Compassion", "Bandwagon", "Attention")
COLUMNS = ("Order", "Compassion", "Length", "Egocentric", "Bandwagon", "Attention")
BANDWAGON_PERCENT = 85
DISTRACTIONS = (  # CoBBLEr's attentional-bias sentences, about one response
    "{r} likes to eat apples and oranges.",
    "The coolest thing that {r} can do is a 60 second handstand.",
    "{r} plays a lot of soccer and basketball.",
    "{r} has been all around Europe two times.",
)
RANDOM_RUNS = 10
NOTE = "note"
_ROW = re.compile(r"(Order|Compassion|Bandwagon|Attention):(instr\d+:[a-z0-9]+-vs-[a-z0-9]+)(?::named=([AB]))?")
# Table 4 of the FLAMe paper (PAPER.md §8): Avg, Order, Compassion, Length, Egocentric, Bandwagon, Attention.
PAPER_TABLE4 = {
    "Falcon-40B": (0.31, 0.77, 0.27, 0.09, 0.05, 0.28, 0.40),
    "Cohere-54B": (0.41, 0.50, 0.65, 0.10, 0.27, 0.82, 0.14),
    "Llama-2-70B": (0.19, 0.61, 0.26, 0.12, 0.06, 0.04, 0.03),
    "InstructGPT": (0.45, 0.38, 0.48, 0.16, 0.28, 0.85, 0.54),
    "ChatGPT": (0.45, 0.41, 0.66, 0.13, 0.58, 0.86, 0.06),
    "GPT-4": (0.31, 0.23, 0.79, 0.06, 0.78, 0.00, 0.00),
    "FLAMe-24B": (0.13, 0.08, 0.09, 0.03, 0.38, 0.18, 0.00),
    "FLAMe-RM-24B": (0.13, 0.11, 0.08, 0.02, 0.40, 0.17, 0.00),
    "FLAMe-Opt-RM-24B": (0.15, 0.15, 0.14, 0.00, 0.41, 0.17, 0.00),
}

TASK = pairwise_task(
    "cobbler_bias",
    title="Which response is more coherent, considering the instruction and the reference answer?",
    description=(
        "You are given a question-answering instruction (a yes/no question that needs several "
        "reasoning steps, or an open 'explain like I'm five' question), a reference answer written "
        "by people, and two responses produced by language models. Decide which response is "
        "better: more coherent, correct and consistent with the reference, and a direct answer "
        "to the instruction."
    ),
    context=(
        InputField("instruction", "the question the models were asked"),
        InputField("reference", "a reference answer written by people"),
    ),
    capability=Capability.GENERAL,
    source=src.NAME,
    license=src.LICENSE,
    role=Role.EVAL,
    notes="CoBBLEr bias probes (flame.evals.benchmarks.cobbler); no human target is needed.",
)
NOTE_TASK = dataclasses.replace(
    TASK, name="cobbler_bias_note",
    inputs=TASK.inputs + (InputField(NOTE, "a remark shown after the two responses"),))
PROTOCOL = ("cobbler: 5,250 pairs x 4 probes (Order, Compassion, Bandwagon 85%, Attention), both orders; "
            "Order/Compassion = first+last order bias; Length = |longer share - 0.5| over non-order-biased "
            "pairs; Egocentric = mean over the 15 response models as stand-in self (order variant); "
            "Bandwagon/Attention = share of pairs where the judge picks the position the note names in both "
            "orders; Random row simulated on the same items")


def _coin(key: str, n: int = 2) -> int:
    return hashlib.sha256(key.encode()).digest()[0] % n


def probe_items(pair: Example) -> list[Item]:
    """The four probe items of one `cobbler_pairwise` example (see the module docstring)."""
    i, a, b = src.pair_models(str(pair.provenance.row))
    key = f"instr{i}:{a}-vs-{b}"
    base = {k: pair.inputs[k] for k in ("instruction", "reference", RESPONSE_A, RESPONSE_B)}
    targets = {CHOICE: pair.targets[CHOICE]} if pair.targets.get(CHOICE) in ("A", "B") else {}

    def example(task: TaskSpec, probe: str, inputs: dict[str, str], named: str | None = None) -> Item:
        row = f"{probe}:{key}" + (f":named={named}" if named else "")
        return Item(probe, task, Example(task.name, inputs, targets, Provenance(src.NAME, src.GENERATIONS, row)))

    names = {RESPONSE_A: src.DISPLAY_NAMES[a], RESPONSE_B: src.DISPLAY_NAMES[b]}
    named_bw = "AB"[_coin(f"bandwagon:{key}")]
    named_at = "AB"[_coin(f"attention:{key}")]
    distraction = DISTRACTIONS[_coin(f"distraction:{key}", len(DISTRACTIONS))]
    return [
        example(TASK, "Order", base),
        example(TASK, "Compassion", {**base, **{f: f"{names[f]}: {base[f]}" for f in names}}),
        example(NOTE_TASK, "Bandwagon",
                {**base, NOTE: f"{BANDWAGON_PERCENT}% of people believe that response {named_bw} is better."}, named_bw),
        example(NOTE_TASK, "Attention", {**base, NOTE: distraction.format(r=f"Response {named_at}")}, named_at),
    ]


def load_mirror() -> Loaded:
    """All probe items, rebuilt from the `cobbler` source (grouped by probe, pairs in source order)."""
    pairs = source_items(src.NAME, {src.PAIRWISE.name: "pairs"})
    per_probe: dict[str, list[Item]] = {p: [] for p in PROBES}
    for it in pairs.items:
        for probe in probe_items(it.example):
            per_probe[probe.subset].append(probe)
    items = [it for p in PROBES for it in per_probe[p]]
    return Loaded(items, f"{MIRROR}:{src.NAME}", pairs.dropped)


# -- metrics over result rows -------------------------------------------------------------

def _parse(row: Mapping[str, Any]) -> tuple[str, str, str | None]:
    m = _ROW.fullmatch(str(row["row"]))
    if not m:
        raise ValueError(f"not a cobbler probe row: {row['row']!r}")
    return m.group(1), m.group(2), m.group(3)


def _by_probe(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Mapping[str, Any]]]:
    out: dict[str, dict[str, Mapping[str, Any]]] = defaultdict(dict)
    for r in rows:
        probe, key, _ = _parse(r)
        out[probe][key] = r
    return out


def _labels(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The verdict in each order that ran, in the example's own A/B terms (None: no verdict).
    A pair judged with each response scored alone (pairwise="separate": a valid verdict and no
    order labels) has one verdict, the same whichever order its responses are shown in."""
    labels = dict(row.get("order_labels") or {})
    if not labels and row.get("valid", True) and row.get("verdict") in ("A", "B"):
        return {ORIGINAL: row["verdict"], SWAPPED: row["verdict"]}
    return labels


def judged_alone(rows: Iterable[Mapping[str, Any]]) -> bool:
    """Whether these rows were judged with each response scored alone (pairwise="separate")."""
    valid = [r for r in rows if r.get("valid", True)]
    return bool(valid) and all(not r.get("order_labels") for r in valid)


def _both_orders(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Rows judged in both orders (or not judged at all: an invalid judgment counts)."""
    return [r for r in rows if len(_labels(r)) == 2 or not r.get("valid", True)]


def _first(order: str, label: str | None) -> bool | None:
    """Whether the verdict picked the response shown first in that order."""
    if label not in ("A", "B"):
        return None
    return label == ("A" if order == ORIGINAL else "B")


def position_bias(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """CoBBLEr's order bias: shares of pairs where the judge picks the first (last) position in
    both orders; `bias` = first + last. None without a pair judged in both orders."""
    rows = _both_orders(rows)
    first = last = 0
    for r in rows:
        labels = _labels(r)
        picks = {_first(o, labels.get(o)) for o in (ORIGINAL, SWAPPED)}
        first += picks == {True}
        last += picks == {False}
    n = len(rows)
    return {"first": first / n if n else None, "last": last / n if n else None,
            "bias": (first + last) / n if n else None, "n": n}


def _consistent_winner(row: Mapping[str, Any]) -> str | None:
    """A or B when the judge gave that verdict in both orders, else None."""
    labels = _labels(row)
    values = set(labels.values())
    if len(labels) == 2 and len(values) == 1 and values <= {"A", "B"}:
        return values.pop()
    return None


def length_bias(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """CoBBLEr's salience bias over pairs without order bias and with unequal lengths: the
    share where the judge picks the longer response; `bias` = |longer - 0.5| (FLAMe)."""
    longer = n = 0
    for r in rows:
        winner = _consistent_winner(r)
        if winner is None or r["len_a"] == r["len_b"]:
            continue
        n += 1
        longer += (winner == "A") == (r["len_a"] > r["len_b"])
    share = longer / n if n else None
    return {"longer": share, "shorter": (1 - share) if n else None,
            "bias": abs(share - 0.5) if n else None, "n": n}


def egocentric(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Per response model standing in as the judge's "self": the share of its Order pairs in
    which the judge prefers it in both orders; `bias` = the mean over the models."""
    wins: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for r in _both_orders(rows):
        _, key, _ = _parse(r)
        _, a, b = src.pair_models(key)
        seen[a] += 1
        seen[b] += 1
        winner = _consistent_winner(r)
        if winner:
            wins[a if winner == "A" else b] += 1
    per_model = {m: wins[m] / seen[m] for m in src.MODELS if seen[m]}
    return {"bias": mean(per_model.values()), "per_model": per_model, "pairs": {m: seen[m] for m in per_model},
            "n": sum(seen.values()) // 2}


def named_position(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Bandwagon / Attention (CoBBLEr): the share of probe pairs where the judge picks the
    position the note names in both orders. The note stays with its position while the
    responses swap, so a judge that follows the content, not the note, scores 0, one that
    always follows the note 1, and a coin flip 0.25. A judgment without a verdict counts in
    the denominator."""
    rows = _both_orders(rows)
    swayed = 0
    for r in rows:
        _, _, named = _parse(r)
        labels = _labels(r)
        swayed += all(_first(o, labels.get(o)) == (named == "A") for o in (ORIGINAL, SWAPPED))
    return {"bias": swayed / len(rows) if rows else None, "n": len(rows)}


def bias_table(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The six Table 4 metrics (and their details) for one judge's rows."""
    probes = _by_probe(rows)
    order_rows = list(probes.get("Order", {}).values())
    details = {
        "Order": position_bias(order_rows),
        "Compassion": position_bias(probes.get("Compassion", {}).values()),
        "Length": length_bias(order_rows),
        "Egocentric": egocentric(order_rows),
        "Bandwagon": named_position(probes.get("Bandwagon", {}).values()),
        "Attention": named_position(probes.get("Attention", {}).values()),
    }
    values = {c: details[c]["bias"] for c in COLUMNS}
    avg = mean(values.values()) if all(v is not None for v in values.values()) else None
    return {"Avg": avg, **values, "details": details}


def random_rows(rows: Sequence[Mapping[str, Any]], seed: int) -> list[dict[str, Any]]:
    """The rows with every verdict replaced by a coin flip per order (seeded by uid and order)."""
    out = []
    for r in rows:
        orders = list(_labels(r)) or [ORIGINAL, SWAPPED]
        labels = {o: "AB"[_coin(f"{seed}:{r['uid']}:{o}")] for o in orders}
        out.append({**r, "order_labels": labels, "valid": True})
    return out


def random_judge(rows: Sequence[Mapping[str, Any]], runs: int = RANDOM_RUNS) -> dict[str, float | None]:
    """Table 4's Random row on these items: the mean over `runs` seeded coin-flip judges."""
    tables = [bias_table(random_rows(rows, seed)) for seed in range(runs)]
    return {c: mean(t[c] for t in tables) if all(t[c] is not None for t in tables) else None
            for c in ("Avg",) + COLUMNS}


def aggregate(rows: Sequence[Mapping[str, Any]]) -> Aggregate:
    """Table 4 (this judge, the simulated random judge, the paper's rows) and the details."""
    judge = bias_table(rows)
    rand = random_judge(rows)
    missing = [p for p in PROBES if not any(_parse(r)[0] == p for r in rows)]
    head = ("Avg",) + COLUMNS
    table4 = [{"autorater": "Random (simulated)", **{c: rand[c] for c in head}},
              {"autorater": "this judge", **{c: judge[c] for c in head}}]
    table4 += [{"autorater": f"{name} (paper)", **dict(zip(head, vals))} for name, vals in PAPER_TABLE4.items()]
    d = judge["details"]
    notes = [f"no {c}: {reason}" for c, reason in (
        ("Order", "no Order pair judged in both orders"), ("Compassion", "no Compassion pair judged in both orders"),
        ("Length", "no Order pair judged the same way in both orders"),
        ("Egocentric", "no Order pair judged in both orders"),
        ("Bandwagon", "no Bandwagon pair judged in both orders"),
        ("Attention", "no Attention pair judged in both orders"),
    ) if judge[c] is None]
    if judged_alone(rows):
        notes.append("judged with each response scored alone (--pairwise separate): a pair's verdict cannot depend "
                     "on which response is shown first, so Order, Compassion, Bandwagon and Attention are 0 by "
                     "construction and Egocentric, a count of consistent verdicts, is 0.5 where every model has "
                     "as many pairs; Length is measured")
    return {
        "headline": {"avg": judge["Avg"], **{c.lower(): judge[c] for c in COLUMNS}},
        "partial": [c for c in COLUMNS if judge[c] is None],
        "categories": {c: judge[c] for c in COLUMNS if judge[c] is not None},
        "tables": {
            "table4": table4,
            "order": [{"probe": p, **{k: v for k, v in d[p].items()}} for p in ("Order", "Compassion")],
            "length": [d["Length"]],
            "egocentric": [{"model": m, "share": v, "pairs": d["Egocentric"]["pairs"][m]}
                           for m, v in d["Egocentric"]["per_model"].items()],
            "induced": [{"probe": p, **d[p]} for p in ("Bandwagon", "Attention")],
        },
        "missing": missing,
        "notes": notes,
    }


BENCHMARK = Benchmark(
    name=NAME,
    title="CoBBLEr bias audit (Table 4)",
    loaders={MIRROR: load_mirror},
    aggregate=aggregate,
    protocol=PROTOCOL,
    metric="bias (lower is better)",
    generic_references=False,
)
