"""Rewrite the generated sections of docs/results.md from the results files in docs/results/.

    python docs/make_results.py

Each section lies between `<!-- NAME:start -->` and `<!-- NAME:end -->` and is printed by the
code behind `flame report --markdown` (run lines, then each benchmark's table beside the
reference judges, the paper's values where the item set is the paper's, and the paper-layout
tables), so no number in docs/results.md is typed by hand. A section with a baseline also
gets the paired comparison of every other run against it (`flame report --baseline`). A
results file may be gzipped.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path("docs/results")

# section -> (column label, results file); files that do not exist (yet) are left out
SECTIONS = {
    "full": [("smollm2-135m (all items)", "smollm2-135m-full.json"),
             ("tournament (all problems)", "smollm2-135m-code-rerank-full.json.gz"),
             ("pointwise (all problems)", "smollm2-135m-code-rerank-pointwise-full.json"),
             ("smollm2-135m (all probes)", "smollm2-135m-cobbler-full.json.gz"),
             ("long documents in chunks", "smollm2-135m-aggrefact-full.json.gz"),
             ("held-out sets with LitTrans", "smollm2-135m-heldout-full.json")],
    "runs": [("base (smollm2-135m)", "smollm2-135m-limit40.json"),
             ("FLAMe (flame-smollm2-135m)", "flame-smollm2-135m-limit40.json"),
             ("FLAMe-RM (flame-rm-smollm2-135m)", "flame-rm-smollm2-135m-limit40.json")],
    "aggrefact": [("base (smollm2-135m)", "smollm2-135m-aggrefact-limit40.json"),
                  ("FLAMe (flame-smollm2-135m)", "flame-smollm2-135m-aggrefact-limit40.json"),
                  ("FLAMe-RM (flame-rm-smollm2-135m)", "flame-rm-smollm2-135m-aggrefact-limit40.json")],
    "bias": [("smollm2-135m (limit 10)", "smollm2-135m-cobbler-rerank-limit10.json")],
    "preference": [("base, A/B (smollm2-135m)", "smollm2-135m-full.json"),
                   ("base, separate (smollm2-135m --pairwise separate)", "smollm2-135m-separate-full.json"),
                   ("trained (flame-bt-smollm2-135m)", "flame-bt-smollm2-135m-full.json")],
    "preference-rerank": [("base (smollm2-135m)", "smollm2-135m-code-rerank-pointwise-full.json"),
                          ("trained (flame-bt-smollm2-135m)", "flame-bt-smollm2-135m-code-rerank-pointwise-full.json")],
    "preference-bias": [("base (smollm2-135m)", "smollm2-135m-cobbler-rerank-limit10.json"),
                        ("trained (flame-bt-smollm2-135m)", "flame-bt-smollm2-135m-cobbler-rerank-limit10.json")],
}
# section -> the column labels of the runs that every run listed after them is compared against, item by item
BASELINES = {"runs": ["base (smollm2-135m)"], "aggrefact": ["base (smollm2-135m)"],
             "preference": ["base, A/B (smollm2-135m)", "base, separate (smollm2-135m --pairwise separate)"]}


def section(runs: list[tuple[str, Path]], baselines: Sequence[str] = ()) -> list[str]:
    """The Markdown lines of one section: results files, run lines, comparison tables, and
    the paired comparison of each baseline run that is present against every run listed after it."""
    from flame.evals.compare import comparison, paired_lines, run_lines
    from flame.evals.paired import compare
    from flame.evals.report import load_results

    docs = load_results([ROOT / path for _, path in runs])
    loaded = [(label, doc) for (label, _), (_, doc) in zip(runs, docs)]
    paired = [compare(base, run) for i, base in enumerate(loaded) if base[0] in baselines for run in loaded[i + 1:]]
    return ([f"- results file of **{label}**: `{path}`" for label, path in runs] + run_lines(loaded)
            + [""] + comparison(loaded) + paired_lines(paired))


def main() -> None:
    """Rewrite every section whose results files exist."""
    sys.path.insert(0, str(ROOT))
    doc_path = ROOT / "docs/results.md"
    doc = doc_path.read_text()
    for name, files in SECTIONS.items():
        runs = [(label, RESULTS / f) for label, f in files if (ROOT / RESULTS / f).exists()]
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        a, b = doc.index(start), doc.index(end)
        lines = section(runs, BASELINES.get(name, ())) if runs else []
        doc = doc[:a] + "\n".join([start, ""] + lines) + "\n" + doc[b:]
    doc_path.write_text(doc)


if __name__ == "__main__":
    main()
