"""AlpacaFarm human pairwise preferences (Dubois et al. 2023): FLAMe's held-out benchmark
"AlpacaFarm"; evaluation only.

Origin: Hugging Face `tatsu-lab/alpaca_farm`, file `alpaca_human_preference.json`, pinned to
commit f8ca79be ("Upload alpaca_human_preference.json"; the later commits 2dc5ca1 .. 8ee35ea
change the loading script, the card and another file, not this one). The repository's main
branch holds a loading script, which `datasets` 3+ no longer runs, so the JSON file is read by
the packaged json builder through its pinned `hf://` path. License: CC-BY-NC-4.0 (the dataset
card, and the AlpacaFarm README: "licensed for research use only", "allowing only
non-commercial use"). Not permissive, so evaluation only: its task has role eval, which
`flame data build` leaves out, and no judge here is trained on it.

Schema (the loading script's features for the `alpaca_human_preference` config, split
`preference`): `instruction`, `input` (may be empty), `output_1`, `output_2` and `preference`
(1 if the annotator preferred `output_1`, 2 for `output_2`). These are the roughly 10k human
pairwise preferences AlpacaFarm collected on its own instructions (its "human preference"
split, used there to train reward models; the paper: "10k pairs of real human feedback").
Which AlpacaFarm human preferences FLAMe sampled its 256 items from is not stated
(PAPER.md §7.2); this split is the one the dataset publishes as pairwise human preference.

Task `alpacafarm_human_preference` (pairwise): the instruction (with its input after a blank
line, when it has one) and the two outputs; the preferred one is placed at A or B by the
shared stable coin flip. A row whose `preference` is not 1 or 2 is Rejected naming the field;
a row whose two outputs are the same text is excluded (no preference between them to judge).
"""

from __future__ import annotations

from typing import Any, Iterator

from flame.core.errors import DataError
from flame.core.records import Capability, InputField, Provenance, Role

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get
from ..source import HFOrigin, Item, Source
from ._hub_kit import excluded, read_split

NAME = "alpacafarm"
LICENSE = "CC-BY-NC-4.0 (evaluation only)"
DATASET, REVISION = "tatsu-lab/alpaca_farm", "f8ca79be8498a5bde4631a021ae4d83123892438"
SPLIT, DATA_FILE = "preference", "alpaca_human_preference.json"

PREFERENCE = pairwise_task(
    "alpacafarm_human_preference",
    title="Which response follows the instruction better?",
    description=(
        "An instruction (sometimes with an input to work on) was given to two instruction-following "
        "language models, and a human annotator compared their responses and chose the better one. "
        "Choose the response the annotator would prefer: the one that does what the instruction asks, "
        "all of it, correctly and helpfully, in a clear and well-organised way. A response that is "
        "wrong, ignores part of the instruction, goes off topic, repeats itself or refuses a harmless "
        "request is worse. Do not prefer a response just because it is longer."
    ),
    context=(InputField("instruction", "the instruction, followed by its input when it has one"),),
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    role=Role.EVAL,
    notes="AlpacaFarm's human pairwise preferences (alpaca_human_preference). Target: the annotator's choice.",
)


def convert(record: Any, prov: Provenance) -> Iterator[Item]:
    """One preference row as an example (or its exclusion); DataError names a bad field."""
    where = (prov.file, prov.row)
    instruction = clean(get(record, "instruction", str, where))
    extra = clean(record.get("input") or "") if isinstance(record, dict) else ""
    if extra:
        instruction += "\n\n" + extra
    outputs = [clean(get(record, field, str, where)) for field in ("output_1", "output_2")]
    preference = get(record, "preference", int, where)
    if preference not in (1, 2):
        raise DataError(prov.file, f"expected 1 or 2, got {preference}", prov.row, "preference")
    if outputs[0] == outputs[1]:
        yield excluded(prov, "the two outputs are the same text: no preference between them", "output_2")
        return
    better = preference - 1
    yield pairwise_example(PREFERENCE.name, prov, {"instruction": instruction}, outputs[better], outputs[1 - better])


def read(files: SourceFiles) -> Iterator[Item]:
    """Every row of the human preference split, in file order."""
    yield from read_split(files, SPLIT, convert, data_files=(DATA_FILE,))


SOURCE = Source(
    name=NAME,
    title="AlpacaFarm human pairwise preferences",
    license=LICENSE,
    role=Role.EVAL,
    homepage="https://huggingface.co/datasets/tatsu-lab/alpaca_farm",
    citation=("Dubois et al. 2023, AlpacaFarm: A Simulation Framework for Methods that Learn from Human "
              "Feedback"),
    tasks=(PREFERENCE,),
    reader=read,
    hf=HFOrigin(DATASET, REVISION, split=SPLIT),
    notes="Hub-hosted, CC-BY-NC-4.0: evaluation only.",
)
