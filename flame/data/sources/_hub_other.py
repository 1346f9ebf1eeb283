"""Hub-hosted FLAMe Table 7 datasets: lazy source references and their Table 7 rows.

SOURCES maps source name -> "module:SOURCE"; TABLE7 maps the paper's dataset name (as in
flame/data/table7.py) to the source names implementing it; EXCLUDED maps a paper dataset
name to the reason it is left out.
"""

SOURCES: dict[str, str] = {
    "prm800k": "flame.data.sources.prm800k:SOURCE",
    "commitpack": "flame.data.sources.commitpack:SOURCE",
    "code_contests": "flame.data.sources.code_contests:SOURCE",
    "mnli": "flame.data.sources.mnli:SOURCE",
    "esnli": "flame.data.sources.esnli:SOURCE",
    "paws": "flame.data.sources.paws:SOURCE",
    "qqp": "flame.data.sources.qqp:SOURCE",
    "stsb": "flame.data.sources.stsb:SOURCE",
    "vitaminc": "flame.data.sources.vitaminc:SOURCE",
    "halueval": "flame.data.sources.halueval:SOURCE",
    "faithdial": "flame.data.sources.faithdial:SOURCE",
    "tulu2": "flame.data.sources.tulu2:SOURCE",
    "mocha": "flame.data.sources.mocha:SOURCE",
    "wikibio_hallucination": "flame.data.sources.wikibio_hallucination:SOURCE",
}
TABLE7: dict[str, tuple[str, ...]] = {
    "PRM800K": ("prm800k",),
    "PRM800K IF": ("prm800k",),
    "Code Contests": ("code_contests",),
    "CommitPack": ("commitpack",),
    "CommitPack-Bugs": ("commitpack",),
    "MNLI": ("mnli",),
    "e-SNLI": ("esnli",),
    "PAWS": ("paws",),
    "QQP": ("qqp",),
    "Sentence Similarity - STS-B": ("stsb",),
    "VitaminC": ("vitaminc",),
    "HaluEval": ("halueval",),
    "FaithDial": ("faithdial",),
    "TULU-2": ("tulu2",),
    "MOCHA": ("mocha",),
    "WikiBio Hallucination": ("wikibio_hallucination",),
}
_UNCONFIRMED = ("public copy only on GitHub ({}); kept out until its commit, file paths and schema are "
                "confirmed: {}")
EXCLUDED: dict[str, str] = {
    "LIMA": "license CC BY-NC-SA (GAIR/lima dataset card), not permissive",
    "QQP": "Quora Question Pairs terms, not a permissive license (adapter `qqp` is available for users who "
           "accept them)",
    "RAGTruth": _UNCONFIRMED.format(
        "ParticleMedia/RAGTruth", "the stored copy of the repository holds its README, LICENSE and baseline code "
        "but not the annotated data files, so their paths and fields at a commit could not be checked"),
    "FRANK": _UNCONFIRMED.format(
        "artidoro/frank", "data/human_annotations.json (commit 24d218ba) holds the labels but only article "
        "hashes and model names; the article and summary texts are in another data file that the stored copy "
        "does not hold, so that file's commit and fields could not be checked"),
    "DialFact": _UNCONFIRMED.format(
        "salesforce/DialFact", "the stored copy has the code and a small sample (scripts/testsmall.jsonl) but "
        "not the released train/validation/test files"),
    "MultiPIT": _UNCONFIRMED.format("Jeniya/MultiPIT", "the repository is not in the stored index at all"),
    "FActScore": "data released on Google Drive (shmsw25/FActScore README), not at a commit-pinned URL; "
                 "no Hugging Face copy found",
    "Sentence Similarity - CxC": _UNCONFIRMED.format(
        "google-research-datasets/Crisscrossed-Captions", "its ratings refer to MS-COCO caption ids and the "
        "sentences must be joined from MS-COCO captions, an origin not checked here"),
    "XSum Hallucination": "the annotations (google-research-datasets/xsum_hallucination_annotations, CC-BY-4.0; "
                          "Hub copy xsum_factuality is only a loading script) carry BBC article ids, not the "
                          "articles; the documents must be joined from XSum, whose Hub card and TFDS catalog "
                          "entry state no known license for the BBC articles",
    "COFFEE": "no license stated: the DLI-Lab/COFFEE-Dataset card declares none (an MIT card for the "
              "Coffee-Gym/COFFEE-Dataset copy exists only as an unmerged pull request, #2); its problem "
              "statements come from the Baekjoon Online Judge",
}
