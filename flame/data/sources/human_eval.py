"""OpenAI HumanEval (Chen et al. 2021): 164 hand-written Python problems with unit tests. Eval only.

Origin: github.com/openai/human-eval at 6d43fb98, `data/HumanEval.jsonl.gz`, MIT.
Layout (confirmed on the mirror): gzipped JSON lines, one problem per line, in task-id order
`HumanEval/0` .. `HumanEval/163`, each with
- `task_id`: "HumanEval/<n>";
- `prompt`: imports, the function signature and its docstring (with doctest examples), ending
  inside the function where the body should start;
- `canonical_solution`: the reference body (indented) that completes `prompt`;
- `test`: code defining `check(candidate)`, a function of asserts;
- `entry_point`: the name of the function under test.
Correctness is execution, not a human rating: `prompt + completion + test + check(entry_point)`
run to completion (flame.evals.sandbox.check_program builds that program).

Task `human_eval_python` (generative): inputs `task_id`, `prompt`, `entry_point`, `test` (what a
code-reranking benchmark needs to execute candidates, joined to CodeT's samples by `task_id`),
target `program`: the canonical solution as a complete program, `prompt + canonical_solution`
with surrounding blank space removed. The target holds the whole program, not the bare body,
because flame targets may not start with whitespace and a Python body's first-line indentation
is significant; with the prompt in front, stripping is harmless. Run a stored program with
`check_program(program, "", test, entry_point)`. The `prompt` input is the origin prompt without
its leading/trailing newlines, so `program` always starts with it and the body is the rest.
All 164 lines become examples (SOURCE.md: 164 problems); none is rejected.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, Example, InputField, LabelSpace, OutputField, Provenance, Role, TaskSpec, TaskType

from ..files import SourceFiles
from ..readers import clean, get, guarded, iter_jsonl
from ..source import Item, Source, github_file

NAME = "human_eval"
LICENSE = "MIT"
REPO, COMMIT = "openai/human-eval", "6d43fb980f9fee3c892a914eda09951f772ad10d"
FILE = "HumanEval.jsonl.gz"
TASK_ID = re.compile(r"HumanEval/\d+")

PROGRAM = OutputField("program", LabelSpace.free_text(),
                      "the complete Python program: the prompt followed by the function body")

TASK = TaskSpec(
    name="human_eval_python",
    task_type=TaskType.GENERATIVE,
    capability=Capability.CODING,
    title="Complete the Python function so that it passes its unit tests.",
    description=(
        "You are given the start of a Python program: imports, a function signature and a "
        "docstring that specifies what the function must do, usually with input/output examples. "
        "Write the complete program: repeat the given start unchanged and add a function body "
        "that implements the specification exactly, for every valid input and edge case the "
        "docstring describes, using only the standard library. The program is judged by running "
        "the given test code, whose check function calls the entry-point function with many "
        "inputs and asserts the results; it is correct only if every assertion passes."
    ),
    inputs=(
        InputField("task_id", "the HumanEval problem id, e.g. HumanEval/0"),
        InputField("prompt", "the start of the program: signature and docstring"),
        InputField("entry_point", "the name of the function the tests call"),
        InputField("test", "Python code defining check(candidate), the unit tests"),
    ),
    outputs=(PROGRAM,),
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    notes="Target is prompt + canonical_solution as one program (stripped); correctness is by execution.",
)


def program(prompt: str, completion: str) -> str:
    """The stored form of a candidate: prompt and completion joined, outer blank space removed."""
    return clean(prompt + completion)


def _convert(record: Any, prov: Provenance) -> Iterator[Item]:
    where = (FILE, prov.row)
    task_id = get(record, "task_id", str, where)
    if not TASK_ID.fullmatch(task_id):
        raise DataError(FILE, f"task id {task_id[:40]!r} is not HumanEval/<n>", prov.row, "task_id")
    prompt, test = get(record, "prompt", str, where), get(record, "test", str, where)
    entry_point = get(record, "entry_point", str, where)
    solution = get(record, "canonical_solution", str, where)
    if f"def {entry_point}(" not in prompt:
        raise DataError(FILE, f"prompt does not define the entry point {entry_point!r}", prov.row, "entry_point")
    if "def check(" not in test:
        raise DataError(FILE, "test code defines no check(candidate) function", prov.row, "test")
    if not solution.strip():
        raise DataError(FILE, "empty canonical solution", prov.row, "canonical_solution")
    inputs = {"task_id": task_id, "prompt": prompt.strip("\n"), "entry_point": entry_point, "test": clean(test)}
    yield Example(TASK.name, inputs, {PROGRAM.name: program(prompt, solution)}, prov)


def read(files: SourceFiles) -> Iterator[Item]:
    """One example per problem line."""
    yield from guarded(NAME, FILE, iter_jsonl(files.path(FILE)), _convert)


SOURCE = Source(
    name=NAME,
    title="HumanEval: 164 Python programming problems with unit tests",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Chen et al. 2021, Evaluating Large Language Models Trained on Code",
    tasks=(TASK,),
    reader=read,
    files=(github_file(REPO, COMMIT, FILE, "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef",
                       origin_path=f"data/{FILE}"),),
    expected={TASK.name: 164},
)
