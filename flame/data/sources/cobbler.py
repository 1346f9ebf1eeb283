"""CoBBLEr (Koo et al. 2024, "Benchmarking Cognitive Biases in LLMs as Evaluators"): eval only.

Origin: github.com/minnesotanlp/cobbler at 5af58e0c, folder `competitive-llms/`. The repository
states no license: the data is used for evaluation only and must not be republished, so the
license is recorded as "none (evaluation only)" (not permissive).

Files used (layout confirmed on the mirror):
- `datasets/llm_preference_evalset.json`: a JSON list of 50 `{"instruction", "reference"}`
  objects, the question-answering instructions (StrategyQA yes/no questions and ELI5) with a
  reference answer. Item i is instruction i everywhere below.
- `n15_responses/full_n15_model_generations.json`: `{model: [50 response strings]}` for the 15
  models of the study (`MODELS`, in file order); response i answers instruction i (checked by
  hand on several items, and `human/batches/examples.json` shows the same texts per item).
- `human/batches/human_annotations/annot_{1..6}.json`: one file per annotator, a JSON list of
  50 objects `{model: rank}`; each object is a permutation of 0..14 over the 15 models.
  Direction: **a larger value is a better response** (14 = ranked best). SOURCE.md says
  "0 = ranked best" and asks for a check; the data contradicts it: on the 26 yes/no questions,
  responses whose Yes/No agrees with the reference get a mean rank value of 0.59-0.62 (of 1)
  from annotators 3, 4 and 5 against 0.25-0.30 for wrong ones; annotators 1, 2 and 6 are
  near chance (their rankings stay close to the order the items were displayed in), and all six
  agree with each other (mean Spearman 0.43-0.78 per instruction), so one direction holds for all.

Not used: `llm_preference_evalset_2.json` (50 other instructions, no responses in the mirror);
`full_n15_model_generations_llamav2.json` (the same 15 lists plus `llamav2`, which has no human
ranking); the other `n15_responses/*` files (partial batches of the same generations);
`annot_*_new.json` (the same rankings with dolly and redpajama removed and re-numbered 0..12);
`examples.json` (the items as shown to annotators, with shuffled "System X" aliases);
`avg_count_by_instruction.json` and `cobbler_table2_anova.csv` (aggregates without item ids).

Task `cobbler_pairwise` (pairwise, A / B / tie): every unordered pair of the 15 models on every
instruction, C(15,2) x 50 = 5,250 examples; this is the pool CoBBLEr's bias probes sample from
(order, compassion fade, egocentric, length, bandwagon, attention), none of which needs a label.
The target is the human preference: A or B when at least 4 of the 6 annotators rank that
response above the other (6-0: 2,126 pairs, 5-1: 1,359, 4-2: 1,194); `tie` when they split
3-3 (571 pairs) or when the two responses are the same text after stripping whitespace (14
pairs: the forced ranking cannot prefer one). Which model wrote which response is kept in the
provenance row, `instr<i>:<model A>-vs-<model B>` (see `pair_models`), not in the prompt: the
compassion-fade probe is exactly the one that shows model names (`DISPLAY_NAMES`).
Where two models gave the same text, their pairs with a third model have the same content and
the collection build keeps one copy, so the bias benchmark should read this source directly.
Nothing is rejected on the mirror; a malformed instruction row becomes one Rejected record
naming the file, the instruction and the model.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role

from ..common import better_goes_first, pairwise_example, pairwise_task, tie_example
from ..files import SourceFiles
from ..readers import clean, read_json
from ..source import Item, Rejected, Source, github_file

NAME = "cobbler"
LICENSE = "none (evaluation only)"
REPO, COMMIT = "minnesotanlp/cobbler", "5af58e0cfff7676dcb496e30bb5384cb8f214b68"
PREFIX = "competitive-llms/"
EVALSET = "datasets/llm_preference_evalset.json"
GENERATIONS = "n15_responses/full_n15_model_generations.json"
ANNOTATIONS = tuple(f"human/batches/human_annotations/annot_{k}.json" for k in range(1, 7))
N_INSTRUCTIONS = 50
MAJORITY = 4  # of 6 annotators

# The 15 response models, in file order, with the names the compassion-fade probe shows.
DISPLAY_NAMES = {
    "vicuna": "Vicuna", "baize": "Baize", "koala": "Koala", "wizardlm": "WizardLM",
    "chatgpt": "ChatGPT", "instructgpt": "InstructGPT", "gpt4": "GPT-4", "cohere": "Cohere",
    "dolly": "Dolly", "openassist": "OpenAssistant", "redpajama": "RedPajama", "mpt": "MPT",
    "alpaca": "Alpaca", "falcon": "Falcon", "llama": "LLaMA",
}
MODELS = tuple(DISPLAY_NAMES)
_ROW = re.compile(r"instr(\d+):([a-z0-9]+)-vs-([a-z0-9]+)")

PAIRWISE = pairwise_task(
    "cobbler_pairwise",
    title="Which response answers the instruction better, given the reference answer?",
    description=(
        "You are given a question-answering instruction (a yes/no question that needs several "
        "reasoning steps, or an open 'explain like I'm five' question), a reference answer written "
        "by people, and two responses produced by language models. Decide which response is the "
        "better answer to the instruction. A better response is correct and consistent with the "
        "reference (for yes/no questions, it gives the reference's yes or no and sound reasons), "
        "addresses the instruction directly and coherently, and does not ramble, repeat itself, "
        "invent follow-up questions or drift off topic. Judge the content only: ignore which "
        "position a response is in, its length as such, and anything said about who wrote it or "
        "how many people prefer it. Answer tie only if the two responses are equally good."
    ),
    context=(
        InputField("instruction", "the question the models were asked"),
        InputField("reference", "a reference answer written by people"),
    ),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    tie=True,
    notes=(
        "Human target from six annotators' full rankings of 15 responses per instruction: A/B when "
        ">=4 of 6 rank one response above the other, tie on a 3-3 split or identical text. Model "
        "identities are in the provenance row 'instr<i>:<model A>-vs-<model B>'."
    ),
)


def pair_models(row: str) -> tuple[int, str, str]:
    """(instruction index, model shown as A, model shown as B) from a provenance row."""
    m = _ROW.fullmatch(row)
    if not m or m.group(2) not in DISPLAY_NAMES or m.group(3) not in DISPLAY_NAMES:
        raise ValueError(f"not a cobbler pair row: {row!r}")
    return int(m.group(1)), m.group(2), m.group(3)


def _item(seq: Any, i: int, file: str, field: str | None = None) -> Any:
    if not isinstance(seq, list):
        raise DataError(file, f"expected a list, got {type(seq).__name__}", field=field)
    if i >= len(seq):
        raise DataError(file, f"no entry for instruction {i} (only {len(seq)})", i, field)
    return seq[i]


def _text(value: Any, file: str, row: int, field: str) -> str:
    if not isinstance(value, str):
        raise DataError(file, f"expected str, got {type(value).__name__}", row, field)
    text = clean(value)
    if not text:
        raise DataError(file, "empty text", row, field)
    return text


def _ranks(record: Any, file: str, row: int) -> dict[str, int]:
    """One annotator's ranking of the 15 responses to instruction row (larger = better)."""
    if not isinstance(record, dict):
        raise DataError(file, f"expected an object of ranks, got {type(record).__name__}", row)
    for model in MODELS:
        value = record.get(model)
        if value is None:
            raise DataError(file, "missing rank", row, model)
        if not isinstance(value, int) or isinstance(value, bool):
            raise DataError(file, f"rank must be an integer, got {type(value).__name__}", row, model)
    if sorted(record[m] for m in MODELS) != list(range(len(MODELS))):
        raise DataError(file, f"ranks are not a permutation of 0..{len(MODELS) - 1}", row)
    return {m: record[m] for m in MODELS}


def _pairs(i: int, evalset: Any, generations: dict, annotations: list[Any]) -> Iterator[Item]:
    """The 105 pair examples of instruction i."""
    item = _item(evalset, i, EVALSET)
    if not isinstance(item, dict):
        raise DataError(EVALSET, f"expected an object, got {type(item).__name__}", i)
    context = {"instruction": _text(item.get("instruction"), EVALSET, i, "instruction"),
               "reference": _text(item.get("reference"), EVALSET, i, "reference")}
    responses = {m: _text(_item(generations[m], i, GENERATIONS, m), GENERATIONS, i, m) for m in MODELS}
    rankings = [_ranks(_item(ann, i, file), file, i) for file, ann in zip(ANNOTATIONS, annotations)]
    for x, y in itertools.combinations(MODELS, 2):
        votes_x = sum(r[x] > r[y] for r in rankings)
        if responses[x] == responses[y] or len(rankings) - MAJORITY < votes_x < MAJORITY:
            a, b = (x, y) if better_goes_first(responses[x], responses[y]) else (y, x)
            prov = Provenance(NAME, GENERATIONS, f"instr{i}:{a}-vs-{b}")
            yield tie_example(PAIRWISE.name, prov, context, responses[a], responses[b])
            continue
        better, worse = (x, y) if votes_x >= MAJORITY else (y, x)
        first = better_goes_first(responses[better], responses[worse])
        a, b = (better, worse) if first else (worse, better)
        prov = Provenance(NAME, GENERATIONS, f"instr{i}:{a}-vs-{b}")
        yield pairwise_example(PAIRWISE.name, prov, context, responses[better], responses[worse])


def read(files: SourceFiles) -> Iterator[Item]:
    """All pairs of all instructions; a malformed instruction becomes one Rejected record."""
    evalset = read_json(files.path(EVALSET))
    generations = read_json(files.path(GENERATIONS))
    if not isinstance(generations, dict):
        raise DataError(GENERATIONS, f"expected an object of model -> responses, got {type(generations).__name__}")
    for model in MODELS:
        if model not in generations:
            raise DataError(GENERATIONS, "missing model", field=model)
    annotations = [read_json(files.path(f)) for f in ANNOTATIONS]
    for i in range(N_INSTRUCTIONS):
        try:
            yield from _pairs(i, evalset, generations, annotations)
        except DataError as e:
            yield Rejected(Provenance(NAME, e.file, e.row if e.row is not None else i), e.reason, e.field)


_SHA256 = {
    EVALSET: "0f6ad718f966456acf86f2d84aa22c4e5c2e8aa126053220a082f3938a668c76",
    GENERATIONS: "a3f8ac577f78df6e03fb5b458d9ced050faf5b5e7618d36eb51a742f50e68c42",
    ANNOTATIONS[0]: "b1fc355b4f0fd79f23b3cfb834795fccde430dd9e4b710387a84948fbbd17ffe",
    ANNOTATIONS[1]: "e01accf4389916eb7edd00e892cc50db578a08b90442adcc66ab5dfe9d21f08c",
    ANNOTATIONS[2]: "8e86b29ef6f12d4ad8f2f2ad32fd70488fb563c1d54a558b9832eed0b8a15901",
    ANNOTATIONS[3]: "0477a854e831c2c983ea3a63be7b75428fa28bd25a4aeb6799dbec88eed040aa",
    ANNOTATIONS[4]: "1297ce7d0b5f4f391d67b1a92e957f9d8c1af66a552fd90156ed9341ae63ef8c",
    ANNOTATIONS[5]: "c3d2101fb3cbda2ee3613e195ce8e5e97c6745ea241f04f15106d8ae6e637fa4",
}

SOURCE = Source(
    name=NAME,
    title="CoBBLEr: cognitive-bias benchmark for LLM evaluators (50 instructions x 15 models)",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Koo et al. 2024, Benchmarking Cognitive Biases in Large Language Models as Evaluators (Findings of ACL)",
    tasks=(PAIRWISE,),
    reader=read,
    files=tuple(github_file(REPO, COMMIT, path, sha, origin_path=PREFIX + path) for path, sha in _SHA256.items()),
    expected={PAIRWISE.name: 5250},
    notes="No license in the origin repository: evaluation only, do not republish.",
)
