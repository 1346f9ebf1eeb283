"""LLMBar and the human-preference sets processed by its authors (evaluation only).

Origin: github.com/princeton-nlp/LLMBar at 900616bf, MIT (Zeng et al. 2024, "Evaluating
Large Language Models at Evaluating Instruction Following"). Every file is a JSON list of
`{"input", "output_1", "output_2", "label"}` where `label` (the integer 1 or 2) names the
better output; no file encodes ties (checked: every label in the mirror is 1 or 2), so
every task is A/B without a tie label. `output_1`/`output_2` keep their meaning: the
`label` output is the human-preferred one and goes through pairwise_example, which places
it at A or B by a stable coin flip.

- LLMBar (instruction following, labels by the authors with high agreement): Natural 100,
  Adversarial Neighbor 134 / GPTInst 92 / GPTOut 47 / Manual 46 - exactly RewardBench's
  five `llmbar-*` subsets (RewardBench: chosen = the `label` output). CaseStudy sets
  (paper §4.6: Constraint 89, Negation 59, Normal 59, Base_9 54, Base_10 54) are included as
  further LLMBar tasks. All LLMBar tasks share one title and description (LLMBar's rules).
- Processed human-preference sets: MT-Bench expert judgments (200, majority vote, ties
  removed), FairEval (66, ties removed), LLMEval^2 (200, ties removed; the mirror stores it
  as `Processed/LLMEval2`). They share one preference-judging description.

Counts equal SOURCE.md's item counts except LLMEval2: row 57 has two identical outputs
and row 169 an empty `output_2`; both are Rejected, so `llmeval2` has 198 examples.
"""

from __future__ import annotations

from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role, TaskSpec

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, guarded, read_json_list
from ..source import Item, Source, github_file

NAME = "llmbar"
LICENSE = "MIT"
REPO, COMMIT = "princeton-nlp/LLMBar", "900616bff90b6c6c8e1681f7d079250637c55992"

LLMBAR_TITLE = "Which output follows the instruction better?"
LLMBAR_DESCRIPTION = (
    "An instruction is given with two outputs generated for it; one of them follows the instruction "
    "and the other does not, though it may look more polished, longer, or more engaging. Select the "
    "output that better follows the instruction. Rules: (1) first judge whether the output honestly, "
    "precisely and closely executes the instruction; only then weigh helpfulness, accuracy, level of "
    "detail and harmlessness. (2) The output should contain neither more nor less than the instruction "
    "asks for; content that goes beyond the request, however good, is not a merit. (3) Do not let the "
    "order of the outputs, their length, or a confident tone affect the judgment."
)
PREFERENCE_TITLE = "Which response to the user's request would a human judge prefer?"
PREFERENCE_DESCRIPTION = (
    "A user's question or instruction is given with two responses from AI assistants. Human annotators "
    "compared the two and chose the better one (pairs they judged equally good were removed). Choose "
    "the response that better answers the user: it follows the instruction, is helpful, relevant, "
    "accurate and sufficiently detailed, and avoids harmful content. Do not let the order of the "
    "responses or their length affect the judgment."
)
CONTEXT = (InputField("instruction", "the user's instruction or question"),)

# task name -> (mirror path, origin path, full sha256, family)
FILES = {
    "llmbar_natural": ("LLMBar/Natural/dataset.json", None,
                       "f7127b7aa78104cb8e03a2b1b3ac0077e95b125714dd441a8ee63666145a3375", "llmbar"),
    "llmbar_adver_neighbor": ("LLMBar/Adversarial/Neighbor/dataset.json", None,
                              "6712c7eda6342602e0bc7c06c282fa95e2110d4e741a284026a62d937f9780a0", "llmbar"),
    "llmbar_adver_gptinst": ("LLMBar/Adversarial/GPTInst/dataset.json", None,
                             "1002425f73c2cf54b6e6de99bce3f6c60fa2a17d13194772e37d7481c1351d42", "llmbar"),
    "llmbar_adver_gptout": ("LLMBar/Adversarial/GPTOut/dataset.json", None,
                            "1ff56e520d7607750a9866a3be0f5b850392ca4477a1f69d80f32bd3e310f561", "llmbar"),
    "llmbar_adver_manual": ("LLMBar/Adversarial/Manual/dataset.json", None,
                            "0d9598769a39cdbbd265778c37e49939d41d5f76dcfb17bd75dcfa07516d3837", "llmbar"),
    "llmbar_case_constraint": ("CaseStudy/Constraint/dataset.json", None,
                               "8b702c755bdba59f63cf61e8643a5718799df8ed8f3b93b27dbf1db0e8c3c009", "llmbar"),
    "llmbar_case_negation": ("CaseStudy/Negation/dataset.json", None,
                             "c4ce566f652606d25445efedcb01d2a359c5ce03c6457e3c518a129dbd608c4e", "llmbar"),
    "llmbar_case_normal": ("CaseStudy/Normal/dataset.json", None,
                           "f6f2c4833d57ab8aaa8aa51bf521296b6f2e26323aad5c08da5331924af450ba", "llmbar"),
    "llmbar_case_base9": ("CaseStudy/Base_9/dataset.json", None,
                          "b3989dcdaddb277207ab86631db2185edd15802e27b947a5dacb663895fddd69", "llmbar"),
    "llmbar_case_base10": ("CaseStudy/Base_10/dataset.json", None,
                           "e36ae2461fd633c51afdbe19d9f62bc77089c7efc8a58e03fc273518a78ab1b0", "llmbar"),
    "mtbench_human": ("Processed/MT-Bench/dataset.json", None,
                      "c152249bc095d152485954bd2abd9ea79528ee5e4c045bfe9ef78755b03c20d8", "preference"),
    "faireval": ("Processed/FairEval/dataset.json", None,
                 "5b4a129258c1efa273a1b10fec399f5462b458facf900e8e1948f4acb1b37dd6", "preference"),
    "llmeval2": ("Processed/LLMEval2/dataset.json", "Dataset/Processed/LLMEval%5E2/dataset.json",
                 "deffdaeccda39c0fb9337c7e20925ec2b973bfd456832c2f1ba0e9ca4cf107de", "preference"),
}
NOTES = {
    "llmbar": "LLMBar gold label (authors' annotation); RewardBench puts the label output as chosen.",
    "preference": "Human preference label as processed by the LLMBar authors (ties removed); no ties remain.",
}


def _task(name: str, family: str) -> TaskSpec:
    llmbar = family == "llmbar"
    return pairwise_task(
        name,
        title=LLMBAR_TITLE if llmbar else PREFERENCE_TITLE,
        description=LLMBAR_DESCRIPTION if llmbar else PREFERENCE_DESCRIPTION,
        context=CONTEXT,
        capability=Capability.INSTRUCTION_FOLLOWING if llmbar else Capability.GENERAL,
        source=NAME,
        license=LICENSE,
        role=Role.EVAL,
        candidate="output",
        notes=NOTES[family],
    )


TASKS = tuple(_task(name, spec[3]) for name, spec in FILES.items())


def _converter(task: str, file: str):
    def convert(record: Any, prov: Provenance) -> Iterator[Item]:
        where = (file, prov.row)
        instruction = clean(get(record, "input", str, where))
        outputs = {k: clean(get(record, k, str, where)) for k in ("output_1", "output_2")}
        label = get(record, "label", int, where)
        if label not in (1, 2):
            raise DataError(file, f"label must be 1 or 2, got {label}", prov.row, "label")
        for key, value in outputs.items():
            if not value:
                raise DataError(file, "empty output", prov.row, key)
        if not instruction:
            raise DataError(file, "empty instruction", prov.row, "input")
        if outputs["output_1"] == outputs["output_2"]:
            raise DataError(file, "the two outputs are identical", prov.row, "output_2")
        better, worse = (outputs["output_1"], outputs["output_2"]) if label == 1 else (outputs["output_2"], outputs["output_1"])
        yield pairwise_example(task, prov, {"instruction": instruction}, better, worse)

    return convert


def read(files: SourceFiles) -> Iterator[Item]:
    """Every subset file in turn; each JSON list item is one pairwise example."""
    for task, (file, _, _, _) in FILES.items():
        yield from guarded(NAME, file, enumerate(read_json_list(files.path(file), file)), _converter(task, file))


SOURCE = Source(
    name=NAME,
    title="LLMBar (Natural, Adversarial, CaseStudy) and processed MT-Bench / FairEval / LLMEval^2",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Zeng et al. 2024, Evaluating Large Language Models at Evaluating Instruction Following (ICLR)",
    tasks=TASKS,
    reader=read,
    files=tuple(github_file(REPO, COMMIT, path, sha, origin_path=origin or f"Dataset/{path}")
                for path, origin, sha, _ in FILES.values()),
    expected={
        "llmbar_natural": 100, "llmbar_adver_neighbor": 134, "llmbar_adver_gptinst": 92,
        "llmbar_adver_gptout": 47, "llmbar_adver_manual": 46, "llmbar_case_constraint": 89,
        "llmbar_case_negation": 59, "llmbar_case_normal": 59, "llmbar_case_base9": 54,
        "llmbar_case_base10": 54, "mtbench_human": 200, "faireval": 66, "llmeval2": 198,
    },
    notes="Processed/MT-Bench derives from lmsys/mt_bench_human_judgments (CC-BY-4.0).",
)
