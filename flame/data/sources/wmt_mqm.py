"""Google's WMT MQM human evaluation (FLAMe Table 7: "WMT MQM", general quality).

Origin: github.com/google/wmt-mqm-human-evaluation at 7fadea28, Apache-2.0. Professional
translators marked every error span of a translation with a category and a severity
(Freitag et al. 2021, "Experts, Errors, and Context"). The segment MQM score is minus the
sum of error weights: Major 5, Minor 1, Minor Fluency/Punctuation 0.1, Non-translation 25.

Files and tasks:

- `ted/{ende,zhen}/mqm_ted_*.tsv`: one row per (system, segment, rater, error), one rater
  per segment, `No-error` rows for clean segments; rows of one (system, seg_id) are
  contiguous. `ted/*/*.avg_seg_scores.tsv` gives the official segment score
  (`system mqm_avg_score seg_id`), joined on system + seg_id; the full file names the
  references `ref`/`refB` where the score file says `ref-A`/`ref-B`. The score file also
  lists 77 (en-de) / 314 (zh-en) un-annotated seg_ids per system with score `None` and no
  text; they are lookup entries that no annotation row refers to, so they give nothing.
  * `wmt_mqm_quality` (pointwise 1-5) from the official score; `wmt_mqm_major_error`
    (Yes/No): did the rater mark at least one Major or Non-translation error in the
    translation (errors in the *source*, category "Source error", do not count).
- `generalMT2023/{ende,zhen}/sxs_*.3ratingsPerSegment.tsv.tar.gz`: WMT23 general-MT outputs
  annotated side by side: each segment's 10 system outputs were rated by the same 3 raters.
  Rows of one segment (doc + docSegId) are contiguous. `HOTW-test` rows are
  quality-control checks (an error injected into the text to see whether the rater finds
  it); they are not ratings of the real translation and are ignored. Each rater's penalty
  is computed with the weights above (category `Non-translation!` weighs 25).
  * `wmt_mqm_quality` from the mean of the 3 raters' penalties.
  * `wmt_mqm_pairwise`: two different translations of one segment form a pair only when
    the same raters rated both, *every* rater gave the better one a strictly lower penalty,
    and the mean penalties differ by at least 5 (one major error). Other pairs are
    yielded as Rejected with the reason (identical text, or no clear preference).

Likert binning of an MQM penalty p (mean over raters where there are several):
5 = no error (p = 0); 4 = at most one minor error's worth (0 < p <= 1); 3 = up to one
major error or several minor ones (1 < p <= 5); 2 = up to two major errors (5 < p <= 10);
1 = worse (p > 10, e.g. three major errors or a non-translation).

Counts (all confirmed against the mirror files, SOURCE.md row counts: 8435 / 9915 TED
annotation rows): TED en-de has 7406 annotated (system, segment) pairs (14 systems x 529
segments) and zh-en 7935 (15 systems x 529); all have a score, so
`wmt_mqm_major_error` has 15341 examples. WMT23 gives 104 (en-de) + 377 (zh-en) segments x
10 systems = 4810 more `wmt_mqm_quality` examples (20151 in all). Of the 21645 candidate
pairs, 643 have identical translations and 17612 lack a clear preference (Rejected);
`wmt_mqm_pairwise` has 3390 examples (1687 A / 1703 B).
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Callable, Iterable, Iterator

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

from ..common import pairwise_example, pairwise_task
from ..files import SourceFiles
from ..readers import clean, get, guarded, iter_csv, read_tar_member
from ..source import Item, Rejected, Source, github_file

NAME = "wmt_mqm"
LICENSE = "Apache-2.0"
REPO, COMMIT = "google/wmt-mqm-human-evaluation", "7fadea281aff8db61cc72fc3d469a4dca78b82a6"
LANGUAGES = {"ende": "English to German", "zhen": "Chinese to English"}
TED = {lp: (f"ted/{lp}/mqm_ted_{lp}.tsv", f"ted/{lp}/mqm_ted_{lp}.avg_seg_scores.tsv") for lp in LANGUAGES}
SXS = {lp: f"generalMT2023/{lp}/sxs_mqm_generalMT2023_{lp}.3ratingsPerSegment.tsv.tar.gz" for lp in LANGUAGES}
SXS_FIELDS = ["system", "doc", "docSegId", "globalSegId", "rater", "source", "target", "category",
              "severity", "metadata"]
TED_SYSTEM_ALIASES = {"ref": "ref-A", "refB": "ref-B"}  # full-file name -> score-file name
SEVERITIES = ("No-error", "Minor", "Major")
QC_SEVERITY = "HOTW-test"
CLEAR_GAP = 5.0  # one major error
SPAN = re.compile(r"</?v>")

MQM_GUIDELINES = (
    "Professional translators annotate translations with the MQM (Multidimensional Quality "
    "Metrics) framework: they read the source segment in its document context and mark every "
    "error span of the translation with a category (Accuracy: mistranslation, omission, "
    "addition, untranslated text; Fluency: grammar, spelling, punctuation, register, "
    "inconsistency; Terminology; Style: unnatural or awkward wording; Locale conventions) and "
    "a severity. A Major error changes or obscures the meaning so that it could mislead or "
    "confuse a reader, or appears in a visible, important part of the content; a Minor error "
    "does not lose meaning but would be noticed and lowers fluency, clarity or style. A "
    "translation that does not translate the source at all is a Non-translation. Errors are "
    "weighted Major 5, Minor 1, minor punctuation 0.1, Non-translation 25."
)
CONTEXT = (
    InputField("language_pair", "source and target language"),
    InputField("source", "the source segment"),
)

QUALITY = TaskSpec(
    name="wmt_mqm_quality",
    task_type=TaskType.POINTWISE,
    capability=Capability.GENERAL,
    title="How good is this translation of the source segment?",
    description=(
        MQM_GUIDELINES + " Rate the translation by the errors an expert would mark: 5 = no error; "
        "4 = at most one minor error (or a few punctuation slips); 3 = one major error or several "
        "minor ones; 2 = up to two major errors; 1 = more than two major errors' worth, or not a "
        "translation of the source."
    ),
    inputs=CONTEXT + (InputField("translation", "the machine or human translation to rate"),),
    outputs=(OutputField("quality", LabelSpace.likert(1, 5), "MQM-based quality, 5 is best"),),
    source=NAME,
    license=LICENSE,
    role=Role.TRAIN,
    notes="MQM penalty p (mean over raters for WMT23) binned: 0 -> 5, <=1 -> 4, <=5 -> 3, <=10 -> 2, >10 -> 1.",
)

MAJOR_ERROR = TaskSpec(
    name="wmt_mqm_major_error",
    task_type=TaskType.CLASSIFICATION,
    capability=Capability.GENERAL,
    title="Does this translation contain a major error?",
    description=(
        MQM_GUIDELINES + " Answer Yes if the translation contains at least one Major error or is a "
        "Non-translation, No if it has no error or only minor ones. Problems in the source text "
        "itself do not count against the translation."
    ),
    inputs=CONTEXT + (InputField("translation", "the translation to check"),),
    outputs=(OutputField("major_error", LabelSpace.classes("Yes", "No")),),
    source=NAME,
    license=LICENSE,
    role=Role.TRAIN,
    notes="TED annotations (one expert rater per segment); Source error rows excluded.",
)

PAIRWISE = pairwise_task(
    "wmt_mqm_pairwise",
    title="Which translation of the source segment is better?",
    description=(
        MQM_GUIDELINES + " Two translations of the same source segment are shown. Choose the one "
        "with fewer and less severe errors: accuracy to the source matters most, then fluency, "
        "terminology and style."
    ),
    context=CONTEXT,
    capability=Capability.GENERAL,
    source=NAME,
    license=LICENSE,
    role=Role.TRAIN,
    candidate="translation",
    notes=(
        "WMT23 side-by-side MQM, 3 raters per segment: a pair is kept only when every rater gave the "
        f"better translation a strictly lower penalty and the mean penalties differ by >= {CLEAR_GAP:g}."
    ),
)


def likert(penalty: float) -> str:
    """The 1-5 quality label of an MQM penalty (see the module docstring for the bins)."""
    for label, ceiling in (("5", 0.0), ("4", 1.0), ("3", 5.0), ("2", 10.0)):
        if penalty <= ceiling + 1e-9:
            return label
    return "1"


def weight(severity: str, category: str) -> float:
    """MQM weight of one error annotation (README of the origin repository)."""
    if category.startswith("Non-translation"):
        return 25.0
    if severity == "Major":
        return 5.0
    if severity == "Minor":
        return 0.1 if category == "Fluency/Punctuation" else 1.0
    return 0.0


def _text(value: str) -> str:
    return clean(SPAN.sub("", value))


def _field(record: dict[str, str], name: str, file: str, row: int) -> str:
    value = get(record, name, str, (file, row))
    if not value.strip():
        raise DataError(file, "empty value", row, name)
    return value


def _severity(record: dict[str, str], file: str, row: int, allowed: tuple[str, ...]) -> str:
    value = _field(record, "severity", file, row)
    if value not in allowed:
        raise DataError(file, f"unknown severity {value!r}", row, "severity")
    return value


def contiguous_groups(rows: Iterable[tuple[int, dict[str, str]]], key: Callable[[dict[str, str]], tuple],
                      file: str) -> Iterator[tuple[int, list[tuple[int, dict[str, str]]]]]:
    """(first row, rows) for each run of rows sharing key; a key seen in two runs is an error."""
    seen: set[tuple] = set()
    for k, run in itertools.groupby(rows, key=lambda item: key(item[1])):
        group = list(run)
        if k in seen:
            raise DataError(file, f"rows of {k} are not contiguous", group[0][0])
        seen.add(k)
        yield group[0][0], group


def read_ted_scores(path: Any, file: str) -> dict[tuple[str, str], float | None]:
    """{(system, seg_id): official MQM score or None} from an avg_seg_scores file."""
    scores: dict[tuple[str, str], float | None] = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(file, f"unreadable: {e}") from e
    if not lines or lines[0].split() != ["system", "mqm_avg_score", "seg_id"]:
        raise DataError(file, "missing header 'system mqm_avg_score seg_id'", "header")
    for row, line in enumerate(lines[1:]):
        parts = line.split()
        if len(parts) != 3:
            raise DataError(file, f"expected 3 columns, got {len(parts)}", row)
        system, score, seg = parts
        if score == "None":
            scores[(system, seg)] = None
            continue
        try:
            scores[(system, seg)] = float(score)
        except ValueError as e:
            raise DataError(file, f"not a number: {score!r}", row, "mqm_avg_score") from e
    return scores


def _ted(files: SourceFiles, lp: str) -> Iterator[Item]:
    file, score_file = TED[lp]
    scores = read_ted_scores(files.path(score_file), f"{NAME}/{score_file}")

    def convert(group: list[tuple[int, dict[str, str]]], prov: Provenance) -> Iterator[Item]:
        first_row, first = group[0]
        system, seg = _field(first, "system", file, first_row), _field(first, "seg_id", file, first_row)
        major = False
        for row, record in group:
            severity = _severity(record, file, row, SEVERITIES)
            category = _field(record, "category", file, row)
            major |= not category.startswith("Source") and weight(severity, category) >= 5
        key = (TED_SYSTEM_ALIASES.get(system, system), seg)
        if key not in scores:
            raise DataError(file, f"no score for system {system!r} segment {seg} in {score_file}", first_row, "seg_id")
        score = scores[key]
        if score is None:
            raise DataError(file, f"score file gives no score for system {system!r} segment {seg}", first_row, "seg_id")
        context = {"language_pair": LANGUAGES[lp], "source": _text(_field(first, "source", file, first_row))}
        translation = _text(_field(first, "target", file, first_row))
        yield Example(QUALITY.name, {**context, "translation": translation}, {"quality": likert(-score)}, prov)
        yield Example(MAJOR_ERROR.name, {**context, "translation": translation},
                      {"major_error": "Yes" if major else "No"}, prov)

    rows = iter_csv(files.path(file), delimiter="\t")
    groups = contiguous_groups(rows, lambda r: (r.get("system"), r.get("seg_id")), file)
    yield from guarded(NAME, file, groups, convert)


def _sxs_rows(files: SourceFiles, file: str) -> Iterator[tuple[int, dict[str, str]]]:
    text = read_tar_member(files.path(file), ".tsv")
    header, _, body = text.partition("\n")
    del text
    # The header carries an 11th, documentation-only column that no data row fills.
    if header.split("\t")[: len(SXS_FIELDS)] != SXS_FIELDS:
        raise DataError(file, f"unexpected header {header[:120]!r}", "header")
    yield from iter_csv(files.path(file), delimiter="\t", fieldnames=SXS_FIELDS, text=body)


def _sxs(files: SourceFiles, lp: str) -> Iterator[Item]:
    file = SXS[lp]

    def convert(group: list[tuple[int, dict[str, str]]], prov: Provenance) -> Iterator[Item]:
        texts: dict[str, str] = {}
        penalties: dict[str, dict[str, float]] = {}
        source = ""
        for row, record in group:
            severity = _severity(record, file, row, SEVERITIES + (QC_SEVERITY,))
            if severity == QC_SEVERITY:
                continue
            system, rater = _field(record, "system", file, row), _field(record, "rater", file, row)
            source = source or _text(_field(record, "source", file, row))
            texts.setdefault(system, _text(_field(record, "target", file, row)))
            by_rater = penalties.setdefault(system, {})
            by_rater[rater] = by_rater.get(rater, 0.0) + weight(severity, _field(record, "category", file, row))
        context = {"language_pair": LANGUAGES[lp], "source": source}
        for system in sorted(penalties):
            mean = sum(penalties[system].values()) / len(penalties[system])
            yield Example(QUALITY.name, {**context, "translation": texts[system]}, {"quality": likert(mean)},
                          Provenance(NAME, file, f"{prov.row}:{system}"))
        for x, y in itertools.combinations(sorted(penalties), 2):
            yield _pair(context, prov, (x, texts[x], penalties[x]), (y, texts[y], penalties[y]))

    rows = _sxs_rows(files, file)
    groups = contiguous_groups(rows, lambda r: (r.get("doc"), r.get("docSegId")), file)
    yield from guarded(NAME, file, groups, convert)


def _pair(context: dict[str, str], prov: Provenance, x: tuple[str, str, dict[str, float]],
          y: tuple[str, str, dict[str, float]]) -> Item:
    """A pairwise example when the raters clearly prefer one translation, else Rejected."""
    where = Provenance(prov.source, prov.file, f"{prov.row}:{x[0]} vs {y[0]}")
    if x[1] == y[1]:
        return Rejected(where, "identical translations", "target")
    if set(x[2]) != set(y[2]):
        return Rejected(where, "the two translations were rated by different raters", "rater")
    diffs = [y[2][r] - x[2][r] for r in x[2]]
    gap = sum(diffs) / len(diffs)
    if abs(gap) < CLEAR_GAP or not (all(d > 0 for d in diffs) or all(d < 0 for d in diffs)):
        return Rejected(where, f"no clear preference (raters' penalty differences {diffs})", "severity")
    better, worse = (x[1], y[1]) if gap > 0 else (y[1], x[1])
    return pairwise_example(PAIRWISE.name, where, context, better, worse)


def read(files: SourceFiles) -> Iterator[Item]:
    """TED segments (pointwise + major error), then WMT23 side-by-side (pointwise + pairwise)."""
    for lp in LANGUAGES:
        yield from _ted(files, lp)
    for lp in LANGUAGES:
        yield from _sxs(files, lp)


_SHA = {
    TED["ende"][0]: "3952dc904997dda31c03421243862cb8a093f9a712fd90dc97b9709b4bb387b3",
    TED["ende"][1]: "4f46f24bb516f4fc0483de2790632eff39930977d9ebd778378a9a2561d3e125",
    TED["zhen"][0]: "d91fc0dd21c1949f1e7570671d01ceb1798ebd8d7ea8998844b1a35983de4ed3",
    TED["zhen"][1]: "fe7c8bcfe5e864194c8ce43e7945ca867a7c2da7e185ae067283279078d0e65c",
    SXS["ende"]: "df9f5af3e6498bb9dddc998acc292ea4a34161f8637dd107de6d692ed319222c",
    SXS["zhen"]: "beb5eb98a34a79ec36212488d9044361ec21c8a2c54f50d509c086246244b3e2",
}

SOURCE = Source(
    name=NAME,
    title="WMT MQM human evaluation (TED talks 2021, WMT23 side-by-side)",
    license=LICENSE,
    role=Role.TRAIN,
    homepage=f"https://github.com/{REPO}",
    citation="Freitag et al. 2021, Experts, Errors, and Context: A Large-Scale Study of Human Evaluation for Machine Translation",
    tasks=(QUALITY, MAJOR_ERROR, PAIRWISE),
    reader=read,
    files=tuple(github_file(REPO, COMMIT, path, sha) for path, sha in _SHA.items()),
    expected={QUALITY.name: 20151, MAJOR_ERROR.name: 15341, PAIRWISE.name: 3390},
)
