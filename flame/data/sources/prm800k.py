"""PRM800K: step-level human correctness labels on model solutions to MATH problems
(FLAMe Table 7: "PRM800K", math, pairwise; and "PRM800K IF", instruction tuning, generative).

Origin: the Hub copy tasksource/PRM800K at commit 547b1950 (MIT, as the GitHub origin
openai/prm800k; the GitHub files are Git LFS objects, so the Hub copy is the pinned one). We
use **phase 2, train** (`phase2_train.jsonl`, 456 MB): its solutions are complete model
generations (`question.pre_generated_steps`) whose steps labelers rated -1/0/+1 until the
first error. Phase 1 (alternative steps and human-written steps inside one trajectory) is
not used, and neither is phase2_test (its problems overlap RewardBench's math-prm, which is
built from the PRM800K test problems).

Schema confirmed from the origin README (github.com/openai/prm800k, README "Data"): each line
has `question` {problem, ground_truth_solution (MATH's human-written solution),
ground_truth_answer, pre_generated_steps, ...} and `label` {steps, finish_reason}. The
labeler's verdict is `label.finish_reason`: "solution" (every step checked and the solution
reached the correct answer) or "found_error" (a step was rated -1; labeling stopped there).
"give_up" and "bad_problem" rows carry no verdict and are excluded by design with that reason.

Tasks, built the two ways the paper says (PAPER.md §2.5):
- `prm800k_reference_vs_incorrect`: the MATH reference solution vs each incorrect model
  solution of the same problem;
- `prm800k_correct_vs_incorrect`: a correct vs an incorrect model solution of the same
  problem. Each incorrect solution is paired once, with the problem's correct solutions
  taken in turn (file order); problems without a correct solution give no pair here.
- `prm800k_solution` (PRM800K IF): write the solution of each problem; the target is the
  MATH reference solution, once per distinct problem.
The same solution text labeled again (quality-control questions are served to every labeler)
is excluded by design as a duplicate; the first verdict is kept. Counts are not known offline (the
FLAMe paper does not give them; Lightman et al. report 800K step labels over 75K solutions to
12K problems in all), so `expected` is left empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get
from ..source import HFOrigin, Item, Source
from ._hub_kit import excluded, generative_task, read_split, text

NAME = "prm800k"
LICENSE = "MIT"
DATASET, REVISION = "tasksource/PRM800K", "547b19506677a59037ee888838834b65e9b1ddd4"
SPLIT, DATA_FILES = "train", ("phase2_train.jsonl",)  # mirror layout: default/train.jsonl
CORRECT, INCORRECT = "solution", "found_error"

_PAIR_DESCRIPTION = (
    "A competition mathematics problem (from the MATH dataset: algebra, counting and probability, "
    "geometry, intermediate algebra, number theory, prealgebra, precalculus) is shown with two "
    "step-by-step solutions. Choose the solution that is correct. A correct solution reaches the right "
    "final answer and every step is mathematically valid: computations are right, claims are true, "
    "each step follows from the problem and the earlier steps, and nothing needed is assumed without "
    "justification. An incorrect solution contains at least one step a careful grader would mark "
    "wrong (an arithmetic or algebraic slip, a false statement, a misapplied formula or theorem, a "
    "misread condition, an unjustified leap), usually leading to a wrong final answer. Check the "
    "steps yourself; do not prefer a solution for being longer, more confident or better formatted."
)


def _pair_task(name: str, title: str, notes: str):
    """A pairwise task on two solutions of one problem, with the shared description."""
    return pairwise_task(name, title=title, description=_PAIR_DESCRIPTION,
                         context=(InputField("problem", "the MATH problem"),), capability=Capability.MATH,
                         source=NAME, license=LICENSE, candidate="solution", notes=notes)


REFERENCE_VS_INCORRECT = _pair_task(
    "prm800k_reference_vs_incorrect",
    title="Which solution to the math problem is correct?",
    notes="Better: MATH's human-written reference solution; worse: a phase-2 model solution that a "
          "PRM800K labeler found an error in (finish_reason found_error).",
)

CORRECT_VS_INCORRECT = _pair_task(
    "prm800k_correct_vs_incorrect",
    title="Which model-written solution to the math problem is correct?",
    notes="Both candidates are phase-2 model solutions of the same problem: one every step of which "
          "labelers accepted and which reached the right answer (finish_reason solution), one in which "
          "they found an error. Each incorrect solution appears once; correct ones are reused in turn.",
)

SOLUTION = generative_task(
    "prm800k_solution",
    title="Solve the math problem step by step.",
    description=(
        "Solve the competition mathematics problem (from the MATH dataset). Write a clear, complete "
        "solution: state the key idea, carry out every computation and deduction needed so that a "
        "reader can check each step, and end with the final answer, in LaTeX as \\boxed{...} as the "
        "MATH solutions do. Be concise: no restating of the problem, no false starts."
    ),
    inputs=(InputField("problem", "the MATH problem"),),
    outputs={"solution": "the worked solution ending with the boxed answer"},
    capability=Capability.INSTRUCTION_FOLLOWING,
    source=NAME,
    license=LICENSE,
    notes="Target: MATH's human-written reference solution (question.ground_truth_solution), once per "
          "distinct problem of phase2_train.",
)


def model_solution(question: dict, prov: Provenance) -> str:
    """The model solution of a phase-2 line: its pre-generated steps, one per line."""
    steps = get(question, "pre_generated_steps", list, (prov.file, prov.row))
    if not steps or not all(isinstance(s, str) for s in steps):
        raise DataError(prov.file, "expected a non-empty list of strings", prov.row, "question.pre_generated_steps")
    solution = clean("\n".join(clean(s) for s in steps))
    if not solution:
        raise DataError(prov.file, "empty value", prov.row, "question.pre_generated_steps")
    return solution


class _Reader:
    """One pass over phase2_train: tasks 1 and 3 stream; task 2 is paired at the end."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], int | str] = {}
        self.problems_done: set[str] = set()
        self.correct: dict[str, list[str]] = {}
        self.incorrect: dict[str, list[tuple[str, Provenance]]] = {}

    def convert(self, record: Any, prov: Provenance) -> Iterator[Item]:
        where = (prov.file, prov.row)
        question = get(record, "question", dict, where)
        verdict = get(get(record, "label", dict, where), "finish_reason", str, where)
        problem = text(question, "problem", prov)
        reference = question.get("ground_truth_solution")
        if reference is not None and not isinstance(reference, str):
            raise DataError(prov.file, f"expected str, got {type(reference).__name__}", prov.row,
                            "question.ground_truth_solution")
        reference = clean(reference or "")
        if problem not in self.problems_done:
            self.problems_done.add(problem)
            if reference:
                yield Example(SOLUTION.name, {"problem": problem}, {"solution": reference}, prov)
            else:
                yield excluded(prov, "no ground-truth solution for the problem", "question.ground_truth_solution")
        if verdict not in (CORRECT, INCORRECT):
            yield excluded(prov, f"no correctness verdict (finish_reason {verdict!r})", "label.finish_reason")
            return
        solution = model_solution(question, prov)
        key = (problem, solution)
        if key in self.seen:
            yield excluded(prov, f"duplicate of row {self.seen[key]} (same problem and solution)",
                           "question.pre_generated_steps")
            return
        self.seen[key] = prov.row
        if verdict == CORRECT:
            self.correct.setdefault(problem, []).append(solution)
            return
        self.incorrect.setdefault(problem, []).append((solution, prov))
        if reference and reference != solution:
            yield pairwise_example(REFERENCE_VS_INCORRECT.name, prov, {"problem": problem}, reference, solution)
        elif not reference:
            yield excluded(prov, "no ground-truth solution to pair with", "question.ground_truth_solution")

    def pairs(self) -> Iterator[Item]:
        for problem, wrong in self.incorrect.items():
            right = self.correct.get(problem)
            if not right:
                continue
            for i, (solution, prov) in enumerate(wrong):
                yield pairwise_example(CORRECT_VS_INCORRECT.name, prov, {"problem": problem},
                                       right[i % len(right)], solution)


def read(files: SourceFiles) -> Iterator[Item]:
    """All three PRM800K tasks from phase2_train (pairs of model solutions come last)."""
    reader = _Reader()
    yield from read_split(files, SPLIT, reader.convert, data_files=DATA_FILES)
    yield from reader.pairs()


SOURCE = Source(
    name=NAME,
    title="PRM800K (phase 2, train)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage="https://github.com/openai/prm800k",
    citation="Lightman et al. 2024, Let's Verify Step by Step",
    tasks=(REFERENCE_VS_INCORRECT, CORRECT_VS_INCORRECT, SOLUTION),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, None, SPLIT),
    table7=("PRM800K", "PRM800K IF"),
)
