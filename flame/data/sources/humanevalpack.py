"""HumanEvalPack (HumanEvalFix): correct vs human-bugged solutions in six languages (eval).

Origin: github.com/bigcode-project/octopack at e17a8f64, MIT (Muennighoff et al. 2023,
"OctoPack: Instruction Tuning Code Large Language Models"). Each `<lang>/humanevalpack.jsonl`
line is one HumanEval problem (164 per language) with `instruction` (a natural-language
request: "Write a <Language> function `<signature>` to solve the following problem: <docstring>"),
`declaration` (imports and the function header), `canonical_solution` (the correct,
human-written body) and `buggy_solution` (the same body with one bug inserted by hand).

RewardBench's `hep-{cpp,go,java,js,python,rust}` subsets (164 each) pair the canonical
solution (chosen) with the buggy one (rejected) for the same instruction; the tasks here
rebuild that pairing: context = `instruction`, better = declaration + canonical_solution,
worse = declaration + buggy_solution, so each candidate is a complete function. (The
RewardBench build script is not in the searchable corpus; the pairing follows the dataset
card and SOURCE.md. Responses are the full functions rather than bare bodies - a choice
documented in each task's notes.)

Counts: 164 lines per file, none rejected (no file has an empty or identical pair), so
every task has 164 examples, 984 in all, as in RewardBench.
"""

from __future__ import annotations

from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role, TaskSpec

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, guarded, iter_jsonl
from ..source import Item, Source, github_file

NAME = "humanevalpack"
LICENSE = "MIT"
REPO, COMMIT = "bigcode-project/octopack", "e17a8f6470264286bc6a52eb8263582083bf3bf6"
ORIGIN_DIR = "evaluation/create/humaneval-x/data"

# task name -> (language folder, full sha256 of <folder>/humanevalpack.jsonl)
LANGUAGES = {
    "hep_cpp": ("cpp", "891a390c1b9d2cb85dd8fbebcf1d88dbdd565734a6b2b3259f9ddb3fe95e33d7"),
    "hep_go": ("go", "0ee2cdca46d70afb33d913a0d4b205624fe4ded2f28c2efdb241727221837993"),
    "hep_java": ("java", "a8d077d300bbdc2eda91e1a733deb2944678bce8fcc7eb272214626516768cc1"),
    "hep_js": ("js", "04c86c1fac5f33818d9187cba278ed1dfc66cc259372dd8342126aa580fb7569"),
    "hep_python": ("python", "b1376d72be4bd016a62ad043d9de3846edb8d63edf1222da802a31330c14c3a7"),
    "hep_rust": ("rust", "01ece28eaf490d7af037ce53095083dacfd38022cf5b82662ccb78024dc269a1"),
}

TITLE = "Which solution correctly implements the requested function?"
DESCRIPTION = (
    "A programming problem asks for one function, given by its signature and a docstring with the "
    "expected behaviour and examples. Two candidate implementations are shown; they are nearly "
    "identical, but one of them contains a bug (for example a wrong operator, a missing or "
    "superfluous condition, an off-by-one index, a wrong variable or value) that makes it fail on "
    "some inputs. Trace both implementations against the docstring and its examples and choose "
    "the one that is functionally correct for all valid inputs. Judge correctness only: ignore "
    "style, formatting and efficiency."
)
NOTES = ("Rebuilds RewardBench hep-*: chosen = declaration + canonical_solution, rejected = "
         "declaration + buggy_solution, context = the dataset's instruction.")


def _task(name: str) -> TaskSpec:
    return pairwise_task(
        name,
        title=TITLE,
        description=DESCRIPTION,
        context=(InputField("instruction", "the programming problem: function signature and docstring"),),
        capability=Capability.CODING,
        source=NAME,
        license=LICENSE,
        role=Role.EVAL,
        candidate="solution",
        notes=NOTES,
    )


TASKS = tuple(_task(name) for name in LANGUAGES)


def _file(folder: str) -> str:
    return f"{folder}/humanevalpack.jsonl"


def _converter(task: str, file: str):
    def convert(record: Any, prov: Provenance) -> Iterator[Item]:
        where = (file, prov.row)
        instruction = clean(get(record, "instruction", str, where))
        declaration = get(record, "declaration", str, where)
        fields = {k: get(record, k, str, where) for k in ("canonical_solution", "buggy_solution")}
        for key, body in fields.items():
            if not body.strip():
                raise DataError(file, "empty solution", prov.row, key)
        if not instruction:
            raise DataError(file, "empty instruction", prov.row, "instruction")
        if fields["canonical_solution"] == fields["buggy_solution"]:
            raise DataError(file, "buggy solution equals the canonical one", prov.row, "buggy_solution")
        better = clean(declaration + fields["canonical_solution"])
        worse = clean(declaration + fields["buggy_solution"])
        yield pairwise_example(task, prov, {"instruction": instruction}, better, worse)

    return convert


def read(files: SourceFiles) -> Iterator[Item]:
    """One pairwise example per problem line, language by language."""
    for task, (folder, _) in LANGUAGES.items():
        file = _file(folder)
        yield from guarded(NAME, file, iter_jsonl(files.path(file)), _converter(task, file))


SOURCE = Source(
    name=NAME,
    title="HumanEvalPack (HumanEvalFix): canonical vs buggy solutions, six languages",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Muennighoff et al. 2023, OctoPack: Instruction Tuning Code Large Language Models",
    tasks=TASKS,
    reader=read,
    files=tuple(github_file(REPO, COMMIT, _file(folder), sha,
                            origin_path=f"{ORIGIN_DIR}/{folder}/data/humanevalpack.jsonl")
                for folder, sha in LANGUAGES.values()),
    expected={name: 164 for name in LANGUAGES},
)
