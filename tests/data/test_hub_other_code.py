"""CommitPack and CodeContests adapters on fixtures in their documented Hub schemas (no network)."""

from __future__ import annotations

from collections import Counter

import pytest

from flame.core import parse, render
from flame.core.errors import DataError
from flame.data.files import SourceFiles
from flame.data.source import Rejected
from flame.data.sources import code_contests, commitpack

from .test_hub_other_math import chosen, write_split


def commit(subject, old, new, lang="python", message=None, new_file="pkg/mod.py"):
    return {"commit": "abc123", "old_file": new_file, "new_file": new_file, "old_contents": old,
            "new_contents": new, "subject": subject, "message": message or subject, "lang": lang,
            "license": "mit", "repos": "someone/project"}


def round_trips(source, examples):
    specs = {t.name: t for t in source.tasks}
    for ex in examples:
        assert parse(specs[ex.task], render(specs[ex.task], ex).target).values == dict(ex.targets)


@pytest.fixture
def commit_items(tmp_path):
    write_split(tmp_path, "commitpack", [
        commit("Fix off-by-one in range end", "for i in range(n - 1):\n    f(i)", "for i in range(n):\n    f(i)"),
        commit("Add timeout option to client", "def get(url):\n    pass", "def get(url, timeout=5):\n    pass"),
        commit("Add new module", "", "print('hi')"),  # created file: no before version
        commit("Refactor", "x = 1", "x = 1"),  # unchanged
    ], config="python")
    for lang in ("javascript", "java", "c++", "go"):
        write_split(tmp_path, "commitpack", [commit("Handle null input to avoid crash", "a", "b", lang=lang)], config=lang)
    write_split(tmp_path, "commitpack", [commit("Use iterator instead of index loop", "c", "d", lang="Rust")], config="rust")
    return list(commitpack.SOURCE.items(SourceFiles(commitpack.SOURCE, mirror=tmp_path)))


def test_commitpack_tasks_languages_and_label_spaces():
    assert {t.name for t in commitpack.SOURCE.tasks} == {"commitpack_change", "commitpack_bugfix"}
    for t in commitpack.SOURCE.tasks:
        assert t.task_type.value == "pairwise" and t.capability.value == "coding"
        assert t.primary_output.labels.labels == ("A", "B")
        assert t.input_names[:3] == ("language", "file_name", "commit_message")
    assert list(commitpack.LANGUAGES.values()) == ["Python", "JavaScript", "Java", "C++", "Go", "Rust"]
    assert commitpack.SOURCE.permissive and len(commitpack.SOURCE.hf.revision) == 40


def test_commitpack_new_file_is_the_target_and_bug_fixes_are_split_off(commit_items):
    examples = [i for i in commit_items if not isinstance(i, Rejected)]
    by_row = {(e.provenance.file, e.provenance.row): e for e in examples}
    fix = by_row[("python/train.jsonl", 0)]
    assert fix.task == "commitpack_bugfix" and chosen(fix) == "for i in range(n):\n    f(i)"
    change = by_row[("python/train.jsonl", 1)]
    assert change.task == "commitpack_change" and chosen(change) == "def get(url, timeout=5):\n    pass"
    assert change.inputs["commit_message"] == "Add timeout option to client" and change.inputs["language"] == "Python"
    assert by_row[("c++/train.jsonl", 0)].inputs["language"] == "C++"
    assert by_row[("rust/train.jsonl", 0)].task == "commitpack_change"
    assert Counter(e.task for e in examples) == {"commitpack_bugfix": 5, "commitpack_change": 2}
    round_trips(commitpack.SOURCE, examples)


def test_commitpack_rejects_created_and_unchanged_files(commit_items):
    rejected = {r.provenance.row: r for r in commit_items if isinstance(r, Rejected)}
    assert set(rejected) == {2, 3}
    assert rejected[2].field == "old_contents" and "creates it" in rejected[2].reason
    assert rejected[3].field == "new_contents" and "identical" in rejected[3].reason
    assert rejected[2].excluded and rejected[3].excluded


def test_commitpack_malformed_row_names_file_row_and_field(tmp_path):
    bad = commit("Fix it", "a", "b")
    bad["message"] = 42
    write_split(tmp_path, "commitpack", [bad], config="python")
    with pytest.raises(DataError, match=r"python/train.jsonl, row 0: field 'message': expected str, got int"):
        list(commitpack.SOURCE.examples(SourceFiles(commitpack.SOURCE, mirror=tmp_path)))


def problem(correct, incorrect, description="Print the sum of a and b."):
    return {"name": "1A. Sum", "description": description, "source": 2, "difficulty": 7,
            "public_tests": {"input": ["1 2\n"], "output": ["3\n"]},
            "solutions": {"language": [lang for lang, _ in correct], "solution": [code for _, code in correct]},
            "incorrect_solutions": {"language": [lang for lang, _ in incorrect],
                                    "solution": [code for _, code in incorrect]}}


def test_code_contests_pairs_correct_and_incorrect_submissions_per_language(tmp_path):
    many_right = [(2, f"int main(){{/*ok {i}*/}}") for i in range(12)]
    many_wrong = [(2, f"int main(){{/*bad {i}*/}}") for i in range(15)]
    write_split(tmp_path, "code_contests", [
        problem([(3, "print(sum(map(int, input().split())))"), (4, "class Main {}")],
                [(3, "print(input())"), (1, "print 0")]),
        problem(many_right, many_wrong),
        problem([(3, "ok")], [(4, "bad java")]),  # no language with both kinds
    ])
    items = list(code_contests.SOURCE.items(SourceFiles(code_contests.SOURCE, mirror=tmp_path)))
    examples = [i for i in items if not isinstance(i, Rejected)]
    first = [e for e in examples if e.provenance.row == 0]
    assert len(first) == 1 and first[0].inputs["language"] == "Python 3"
    assert chosen(first[0]) == "print(sum(map(int, input().split())))"
    capped = [e for e in examples if e.provenance.row == 1]
    assert len(capped) == code_contests.MAX_PAIRS and all("/*ok" in chosen(e) for e in capped)
    assert {e.inputs["language"] for e in capped} == {"C++"}
    (rejected,) = [i for i in items if isinstance(i, Rejected)]
    assert rejected.provenance.row == 2 and "both a correct and an incorrect" in rejected.reason
    assert rejected.excluded
    spec = code_contests.SOURCE.tasks[0]
    assert spec.task_type.value == "pairwise" and spec.capability.value == "coding"
    round_trips(code_contests.SOURCE, examples)


def test_code_contests_malformed_solutions_column(tmp_path):
    bad = problem([(3, "x")], [(3, "y")])
    bad["solutions"] = {"language": [3, 3], "solution": ["x"]}
    write_split(tmp_path, "code_contests", [bad])
    with pytest.raises(DataError, match=r"default/train.jsonl, row 0: field 'solutions': expected equal-length"):
        list(code_contests.SOURCE.examples(SourceFiles(code_contests.SOURCE, mirror=tmp_path)))
