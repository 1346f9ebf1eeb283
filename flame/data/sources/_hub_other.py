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
}
_GITHUB_ONLY = "no official Hugging Face copy found; public copy only on GitHub ({}); checksum not pinned yet"
EXCLUDED: dict[str, str] = {
    "LIMA": "license CC BY-NC-SA (GAIR/lima dataset card), not permissive",
    "QQP": "Quora Question Pairs terms, not a permissive license (adapter `qqp` is available for users who "
           "accept them)",
    "RAGTruth": _GITHUB_ONLY.format("ParticleMedia/RAGTruth"),
    "FRANK": _GITHUB_ONLY.format("artidoro/frank"),
    "DialFact": _GITHUB_ONLY.format("salesforce/DialFact"),
    "MultiPIT": _GITHUB_ONLY.format("Jeniya/MultiPIT"),
    "FActScore": _GITHUB_ONLY.format("shmsw25/FActScore, data on Google Drive"),
    "Sentence Similarity - CxC": _GITHUB_ONLY.format("google-research-datasets/Crisscrossed-Captions; "
                                                      "the sentences must be joined from MS-COCO captions"),
}
