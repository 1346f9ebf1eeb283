"""WiCE claim-level entailment (Kamoi et al. 2023): the "Wice" component of LLM-AggreFact.

Origin: github.com/ryokamoi/wice at ddeb6c18, `data/entailment_retrieval/claim/{dev,test}.jsonl`
(annotations ODC-BY 1.0; texts from Wikipedia, CC-BY-SA, and archived web pages). Each line:
`claim` (a Wikipedia sentence that carries a citation), `evidence` (the cited web article
split into sentences, the first usually "(meta data) TITLE: ..."), `supporting_sentences`,
`label` in {supported, partially_supported, not_supported}, and `meta`.

Label semantics, as LLM-AggreFact uses WiCE: the grounding document is the cited article (its
evidence sentences, one per line, blank ones dropped) and the label is binary, "supported"
-> Yes, "partially_supported" and "not_supported" -> No. Confirmed: the LLM-AggreFact card and
the MiniCheck README define `label` as "1 if the claim is supported, 0 otherwise" and the
task as whether the claim is fully supported by the document (PAPER.md §7.2: "is the claim
fully supported by the document"); its WiCE split sizes are 358 test and 349 dev claims,
exactly these files. The mapping of the two non-supported WiCE classes comes from the
mirror's SOURCE.md and the card's wording; LLM-AggreFact's conversion script itself was not
available to check line by line.

Shared layout: LLM-AggreFact gives every component the same prompt (PAPER.md §3), so this
module defines the grounding title, description and fields once (`grounding_task`);
`factcheck_gpt` imports them.

Counts (confirmed on the mirror): test 358 lines (supported 111, partially 215, not 32: 111
Yes / 247 No); dev 349 lines (115 / 191 / 43: 115 Yes / 234 No). Nothing is rejected.
"""

from __future__ import annotations

from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import (
    Capability,
    Example,
    InputField,
    LabelSpace,
    OutputField,
    Provenance,
    Role,
    TaskSpec,
    TaskType,
)

from ..files import SourceFiles
from ..readers import clean, get, guarded, iter_jsonl
from ..source import Item, Source, github_file

NAME = "wice"
LICENSE = "ODC-BY"
REPO, COMMIT = "ryokamoi/wice", "ddeb6c183665e2a20c5f03c5aa07f03888b9870f"

# The grounding layout shared by the LLM-AggreFact components (also used by factcheck_gpt).
DOCUMENT, CLAIM, SUPPORTED = "document", "claim", "supported"
YES, NO = "Yes", "No"
GROUNDING_TITLE = "Is the claim fully supported by the document?"
GROUNDING_DESCRIPTION = (
    "You are given a document and a claim. Decide whether the document supports the claim. Answer "
    "Yes only if every piece of information in the claim is stated in the document or follows "
    "directly from it; differences of wording or paraphrase do not matter. Answer No if any part of "
    "the claim is contradicted by the document, or is not mentioned in it, even when the rest of "
    "the claim is supported (partial support counts as No) and even when the claim may be true in "
    "the real world. Judge only against the document, not against your own knowledge."
)


def grounding_task(name: str, *, source: str, license: str, notes: str) -> TaskSpec:
    """A claim-vs-document support task in the shared LLM-AggreFact layout."""
    return TaskSpec(
        name=name,
        task_type=TaskType.CLASSIFICATION,
        capability=Capability.FACTUALITY,
        title=GROUNDING_TITLE,
        description=GROUNDING_DESCRIPTION,
        inputs=(InputField(DOCUMENT, "the grounding document"), InputField(CLAIM, "the claim to verify")),
        outputs=(OutputField(SUPPORTED, LabelSpace.classes(YES, NO),
                             "Yes if the document fully supports the claim, No otherwise"),),
        source=source,
        license=license,
        role=Role.EVAL,
        notes=notes,
    )


LABELS = {"supported": YES, "partially_supported": NO, "not_supported": NO}
SPLITS = {  # mirror path -> (task name, sha256)
    "claim/test.jsonl": ("wice_test", "4c91b9e9590cfcd8f8a0f7288b5ff315af8ade946d7bf26f50fbd671bb86dbe8"),
    "claim/dev.jsonl": ("wice_dev", "67531ca79bde4c81d3752fb69d9cb0d3d6763de5c3028f548b83ef053a6f8042"),
}
TASKS = {
    path: grounding_task(
        name, source=NAME, license=LICENSE,
        notes=(f"WiCE claim-level {path.split('/')[1].split('.')[0]} split (LLM-AggreFact 'Wice'): "
               "supported -> Yes; partially_supported, not_supported -> No. Document: the cited article."),
    )
    for path, (name, _) in SPLITS.items()
}


def _converter(path: str):
    task = TASKS[path].name

    def convert(record: Any, prov: Provenance) -> Iterator[Item]:
        where = (path, prov.row)
        label = get(record, "label", str, where)
        if label not in LABELS:
            raise DataError(path, f"unknown label {label!r} (expected one of {sorted(LABELS)})", prov.row, "label")
        sentences = get(record, "evidence", list, where)
        if not all(isinstance(s, str) for s in sentences):
            raise DataError(path, "evidence must be a list of strings", prov.row, "evidence")
        document = "\n".join(s for s in map(clean, sentences) if s)
        if not document:
            raise DataError(path, "no evidence text", prov.row, "evidence")
        claim = clean(get(record, "claim", str, where))
        if not claim:
            raise DataError(path, "empty claim", prov.row, "claim")
        yield Example(task=task, inputs={DOCUMENT: document, CLAIM: claim},
                      targets={SUPPORTED: LABELS[label]}, provenance=prov)

    return convert


def read(files: SourceFiles) -> Iterator[Item]:
    """Examples of wice_test and wice_dev, one per claim."""
    for path in SPLITS:
        yield from guarded(NAME, path, iter_jsonl(files.path(path)), _converter(path))


SOURCE = Source(
    name=NAME,
    title="WiCE: Wikipedia claims vs cited articles (claim level)",
    license=LICENSE,
    role=Role.EVAL,
    homepage=f"https://github.com/{REPO}",
    citation="Kamoi et al. 2023, WiCE: Real-World Entailment for Claims in Wikipedia",
    tasks=tuple(TASKS.values()),
    reader=read,
    files=tuple(github_file(REPO, COMMIT, path, sha, origin_path=f"data/entailment_retrieval/{path}")
                for path, (_, sha) in SPLITS.items()),
    expected={"wice_test": 358, "wice_dev": 349},
    notes="Texts are Wikipedia (CC-BY-SA) and archived web pages (Common Crawl terms); annotations ODC-BY.",
)
