"""Hub-hosted FLAMe Table 7 datasets: lazy source references and their Table 7 rows.

SOURCES maps source name -> "module:SOURCE"; TABLE7 maps the paper's dataset name (as in
flame/data/table7.py) to the source names implementing it; EXCLUDED maps a paper dataset
name to the reason it is left out.
"""

SOURCES: dict[str, str] = {
    "prm800k": "flame.data.sources.prm800k:SOURCE",
    "commitpack": "flame.data.sources.commitpack:SOURCE",
    "code_contests": "flame.data.sources.code_contests:SOURCE",
}
TABLE7: dict[str, tuple[str, ...]] = {
    "PRM800K": ("prm800k",),
    "PRM800K IF": ("prm800k",),
    "Code Contests": ("code_contests",),
    "CommitPack": ("commitpack",),
    "CommitPack-Bugs": ("commitpack",),
}
EXCLUDED: dict[str, str] = {}
