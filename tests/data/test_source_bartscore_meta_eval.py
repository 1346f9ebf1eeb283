"""bartscore_meta_eval on the real mirror: hand-checked rows, rounding, pooling, pairing, bad input."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources.bartscore_meta_eval import REALSUMM_MARGIN, SOURCE, round_half_up

SUMMEVAL = "SUM/SummEval/data.json.gz"


def find(examples, file, row):
    hits = [e for e in examples if e.provenance.file == file and e.provenance.row == row]
    assert len(hits) == 1, (file, row, len(hits))
    return hits[0]


def chosen(example):
    return example.inputs["response_" + example.targets["choice"].lower()]


def test_round_half_up():
    assert [round_half_up(v) for v in (1.0, 4 / 3, 5 / 3, 2.5, 4.5, (13 / 3 + 14 / 3) / 2)] == [1, 1, 2, 3, 5, 5]


def test_summeval_row_checked_by_hand(read):
    by_task, _ = read
    # dm-test-8764fb95.../M11: coherence 1.33, consistency 1.0, fluency 3.0, relevance 1.67
    row = "dm-test-8764fb95bfad8ee849274873a92fb8d6b400eee2/M11"
    labels = {a: find(by_task[f"summeval_{a}"], SUMMEVAL, row).targets[a]
              for a in ("coherence", "consistency", "fluency", "relevance")}
    assert labels == {"coherence": "1", "consistency": "1", "fluency": "3", "relevance": "2"}
    ex = find(by_task["summeval_coherence"], SUMMEVAL, row)
    assert ex.inputs["article"].startswith("Paul Merson has restarted his row with Andros Townsend")
    assert ex.inputs["summary"].startswith("Paul merson was brought on with only seven minutes")


def test_identical_summaries_are_pooled_into_one_example(read):
    by_task, rejected = read
    # M2 and M0 wrote the same summary of this article: coherence 4.0 and 5.0, relevance 4.33 and 4.67
    doc = "dm-test-d680ebcdcd59fd5ee9b602a06bcd5230c212835b"
    assert find(by_task["summeval_coherence"], SUMMEVAL, f"{doc}/M2").targets == {"coherence": "5"}
    assert find(by_task["summeval_relevance"], SUMMEVAL, f"{doc}/M2").targets == {"relevance": "5"}
    assert not [e for e in by_task["summeval_coherence"] if e.provenance.row == f"{doc}/M0"]
    [dup] = [r for r in rejected if r.provenance.row == f"{doc}/M0"]
    assert f"{doc}/M2" in dup.reason
    for task, examples in by_task.items():  # no judgment is filed twice
        assert len({e.uid for e in examples}) == len(examples), task


def test_data_to_text_half_point_ratings_round_up(read):
    by_task, _ = read
    # SF-HOT row 0: informativeness 4.5, naturalness 3.5, quality 4.0; BAGEL row 0: 6, 4, 5
    sfhot = {a: find(by_task[f"sfhot_{a}"], "D2T/SFHOT/data.json.gz", "0").targets[a]
             for a in ("informativeness", "naturalness", "quality")}
    assert sfhot == {"informativeness": "5", "naturalness": "4", "quality": "4"}
    bagel = find(by_task["bagel_quality"], "D2T/BAGEL/data.json.gz", "0")
    assert bagel.targets == {"quality": "5"}
    assert bagel.inputs == {"meaning_representation": "inform(name=none,area=citycentre,near='X')",
                            "utterance": "There is sorry no information matching constraints near X ."}


def test_pairwise_rows_checked_by_hand(read):
    by_task, rejected = read
    rank19 = find(by_task["rank19_factual_consistency"], "SUM/Rank19/data.json.gz", "5")
    assert chosen(rank19) == "Shafqat hussain , 24 , was scheduled to be hanged thursday ."
    wmt = find(by_task["wmt19_darr_to_english"], "WMT/gu-en/data.json.gz", "0")
    assert wmt.inputs["source_language"] == "Gujarati"
    assert chosen(wmt).startswith("India and Russia had already begun to establish alternative arrangements")
    assert sum(r.provenance.file == "SUM/Rank19/data.json.gz" for r in rejected) == 3


def test_realsumm_pairs_prefer_clearly_higher_recall(read, mirror):
    by_task, _ = read
    raw = json.loads(gzip.open(mirror / SOURCE.name / "SUM/REALSumm/data.json.gz").read())

    def recall(doc: str, summary: str) -> float:
        """Mean recall of all systems that wrote this summary of doc (identical copies are pooled)."""
        values = [s["scores"]["litepyramid_recall"] for s in raw[doc]["sys_summs"].values()
                  if s["sys_summ"].strip() == summary]
        return sum(values) / len(values)

    pairs = by_task["realsumm_content_coverage"]
    for ex in pairs:
        doc = ex.provenance.row.split("/")[0]
        other = ex.inputs["response_b" if ex.targets["choice"] == "A" else "response_a"]
        assert recall(doc, chosen(ex)) - recall(doc, other) >= REALSUMM_MARGIN - 1e-9
    assert len({e.inputs["reference_summary"] for e in pairs}) > 50  # pairs come from many articles


def test_pairwise_tasks_are_balanced_and_pointwise_labels_spread(read):
    by_task, _ = read
    for task in ("realsumm_content_coverage", "rank19_factual_consistency", "wmt19_darr_to_english"):
        share_a = Counter(e.targets["choice"] for e in by_task[task])["A"] / len(by_task[task])
        assert 0.4 < share_a < 0.6, (task, share_a)
    for spec in SOURCE.tasks:
        if spec.task_type.value == "pointwise":
            counts = Counter(e.targets[spec.primary_output.name] for e in by_task[spec.name])
            assert len(counts) >= 4 and max(counts.values()) < 0.9 * len(by_task[spec.name]), (spec.name, counts)
    # SummEval: most summaries are fully consistent, but coherence is spread out (Fabbri et al. 2021)
    consistency = Counter(e.targets["consistency"] for e in by_task["summeval_consistency"])
    assert consistency.most_common(1)[0][0] == "5"


# ---------------------------------------------------------------- malformed input


def broken_mirror(tmp_path: Path, mirror: Path, rel: str, payload: bytes) -> SourceFiles:
    """A mirror with every real file linked in, except rel, which holds payload."""
    for spec in SOURCE.files:
        dest = tmp_path / SOURCE.name / spec.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        if spec.path == rel:
            dest.write_bytes(payload)
        else:
            dest.symlink_to(mirror / SOURCE.name / spec.path)
    return SourceFiles(SOURCE, mirror=tmp_path, verify=False)


def gz(data) -> bytes:
    return gzip.compress(json.dumps(data).encode("utf-8"))


def real(mirror: Path, rel: str):
    return json.loads(gzip.open(mirror / SOURCE.name / rel).read())


def test_missing_score_names_file_row_and_field(tmp_path, mirror):
    data = real(mirror, SUMMEVAL)
    doc = "dm-test-8764fb95bfad8ee849274873a92fb8d6b400eee2"
    del data[doc]["sys_summs"]["M11"]["scores"]["coherence"]
    files = broken_mirror(tmp_path, mirror, SUMMEVAL, gz(data))
    with pytest.raises(DataError) as err:
        list(SOURCE.examples(files))
    message = str(err.value)
    assert SUMMEVAL in message and f"{doc}/M11" in message and "scores.coherence" in message


@pytest.mark.parametrize(
    "rel, row, field, damage",
    [
        ("D2T/SFHOT/data.json.gz", "7", "sys_summ", lambda r: r.update(sys_summ=42)),
        ("D2T/BAGEL/data.json.gz", "3", "scores.informativeness", lambda r: r["scores"].update(informativeness=7)),
        ("WMT/gu-en/data.json.gz", "11", "worse", lambda r: r.pop("worse")),
    ],
    ids=["wrong-type", "off-scale", "missing-field"],
)
def test_bad_rows_are_rejected_with_file_row_and_field(tmp_path, mirror, rel, row, field, damage):
    data = real(mirror, rel)
    damage(data[row])
    files = broken_mirror(tmp_path, mirror, rel, gz(data))
    bad = next(r for r in SOURCE.items(files) if isinstance(r, Rejected) and r.provenance.row == row
               and r.provenance.file == rel)
    message = str(bad.as_error())
    assert rel in message and f"row {row}" in message and field in message


@pytest.mark.parametrize(
    "payload, reason",
    [
        (gzip.compress(b'{"0": {"src": "a sentence"'), "invalid JSON"),
        (gzip.compress(b""), "empty"),
        (gzip.compress(b"[1, 2]")[:10], "unreadable"),
        (gz([1, 2]), "expected a non-empty JSON object"),
    ],
    ids=["truncated-json", "empty", "truncated-gzip", "not-an-object"],
)
def test_broken_files_name_the_file(tmp_path, mirror, payload, reason):
    rel = "SUM/Rank19/data.json.gz"
    files = broken_mirror(tmp_path, mirror, rel, payload)
    with pytest.raises(DataError) as err:
        list(SOURCE.items(files))
    assert rel in str(err.value) and reason in str(err.value)


# ---------------------------------------------------------------- pairwise SummEval / Newsroom

NEWSROOM = "SUM/Newsroom/data.json.gz"
PAIRWISE_COUNTS = {  # task: (examples, summaries in no pair)
    "summeval_pairwise_coherence": (5500, 2),
    "summeval_pairwise_consistency": (2263, 233),
    "summeval_pairwise_fluency": (2387, 239),
    "summeval_pairwise_relevance": (4044, 82),
    "newsroom_pairwise_coherence": (579, 15),
    "newsroom_pairwise_fluency": (548, 35),
    "newsroom_pairwise_informativeness": (648, 3),
    "newsroom_pairwise_relevance": (568, 10),
}


def test_rating_pair_counts(read):
    by_task, rejected = read
    for task, (examples, unpaired) in PAIRWISE_COUNTS.items():
        assert len(by_task[task]) == examples, task
        dropped = [r for r in rejected if task in r.reason]
        assert len(dropped) == unpaired, task
        assert all("excluded by design" in r.reason and r.excluded for r in dropped), task
        assert SOURCE.task(task).input_names == ("article", "response_a", "response_b")


@pytest.mark.parametrize("rel, prefix", [(SUMMEVAL, "summeval_pairwise_"), (NEWSROOM, "newsroom_pairwise_")])
def test_rating_pairs_prefer_the_summary_rated_a_point_higher(read, mirror, rel, prefix):
    """Recomputed from the raw file: both summaries are of the pair's article, differ, and the
    preferred one's mean rating (identical summaries of the article pooled) is >= 1 point higher."""
    by_task, _ = read
    raw = real(mirror, rel)

    def rating(doc: str, summary: str, aspect: str) -> float:
        values = [s["scores"][aspect] for s in raw[doc]["sys_summs"].values() if s["sys_summ"].strip() == summary]
        assert values, (doc, summary[:40])
        return sum(values) / len(values)

    for task in (t for t in PAIRWISE_COUNTS if t.startswith(prefix)):
        aspect = task[len(prefix):]
        pairs = by_task[task]
        per_article = Counter()
        for ex in pairs:
            better_row, worse_row = ex.provenance.row.split(" > ")
            doc = better_row.split("/")[0]
            assert worse_row.split("/")[0] == doc and ex.provenance.file == rel
            assert ex.inputs["article"] == raw[doc]["src"].strip()
            other = ex.inputs["response_b" if ex.targets["choice"] == "A" else "response_a"]
            assert chosen(ex) != other
            assert chosen(ex) == raw[doc]["sys_summs"][better_row.split("/", 1)[1]]["sys_summ"].strip()
            assert rating(doc, chosen(ex), aspect) - rating(doc, other, aspect) >= 1.0 - 1e-9, ex.provenance
            per_article[doc] += 1
        assert max(per_article.values()) <= 60, task  # the per-article cap
        assert len({e.uid for e in pairs}) == len(pairs), task
        share_a = Counter(e.targets["choice"] for e in pairs)["A"] / len(pairs)
        assert 0.4 <= share_a <= 0.6, (task, share_a)
    if prefix.startswith("summeval"):  # 54 articles give more than 60 coherence pairs and are capped,
        capped = Counter(e.provenance.row.split("/")[0] for e in by_task["summeval_pairwise_coherence"])
        assert sum(n == 60 for n in capped.values()) == 54 + 4  # 4 give exactly 60


def test_margin_pairs_cap_keeps_the_largest_differences():
    from flame.core.records import Provenance
    from flame.data.sources.bartscore_meta_eval import Rated, margin_pairs

    outputs = [(Rated(Provenance("s", "f", str(n)), (), {}), f"text {n}", value)
               for n, value in enumerate((1.0, 2.0, 4.0, 5.0))]
    items = list(margin_pairs("t", {"article": "x"}, outputs, 1.0, lambda v: f"unpaired {v}", cap=2))
    pairs = [i.provenance.row for i in items if not isinstance(i, Rejected)]
    assert pairs == ["2 > 0", "3 > 0"]  # gaps 3 and 4; the next largest, 3 > 1, is also 3 but later
    [dropped] = [i for i in items if isinstance(i, Rejected)]
    assert dropped.provenance.row == "1" and dropped.excluded and "only the 2 largest" in dropped.reason
    items = list(margin_pairs("t", {"article": "x"}, outputs[:2] + [(outputs[2][0], "text 2", 1.5)], 1.0,
                              lambda v: f"unpaired {v}"))
    assert [i.reason for i in items if isinstance(i, Rejected)] == ["unpaired 1.5"]
