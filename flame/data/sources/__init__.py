"""The registry of public human-judgment sources: one module per dataset.

The built-in map is assembled here from three static lists (no import side effects): the
datasets mirrored in shared/data, the FLAMe Table 7 datasets read from their public origin,
the Hugging Face Hub (all but MOCHA, whose files are pinned to a GitHub commit), and the
evaluation-only sets of FLAMe's Table 1 read from their public origin (EVAL_ORIGIN: never
built into the training collection). Each source declares the Table 7 rows it implements
(`Source.table7`).

Every Hub source reads its dataset at a 40-character commit, except those in UNPINNED,
where no commit could be confirmed offline: they read the moving revision they name, and a
build records in its data card the commit that revision resolved to (`SourceFiles.hf_rows`).
"""

from __future__ import annotations

from flame.core.registry import Registry

from ..source import Source

MIRRORED = {
    # train (FLAMe Table 7 datasets mirrored in shared/data, plus TruthfulQA and WMT MQM)
    "hh_rlhf": "flame.data.sources.hh_rlhf:SOURCE",
    "truthfulqa": "flame.data.sources.truthfulqa:SOURCE",
    "bartscore_meta_eval": "flame.data.sources.bartscore_meta_eval:SOURCE",
    "unieval_meta_eval": "flame.data.sources.unieval_meta_eval:SOURCE",
    "wmt_mqm": "flame.data.sources.wmt_mqm:SOURCE",
    "begin": "flame.data.sources.begin:SOURCE",
    "q_squared": "flame.data.sources.q_squared:SOURCE",
    # eval
    "llmbar": "flame.data.sources.llmbar:SOURCE",
    "humanevalpack": "flame.data.sources.humanevalpack:SOURCE",
    "xstest": "flame.data.sources.xstest:SOURCE",
    "hhh_alignment": "flame.data.sources.hhh_alignment:SOURCE",
    "rankgen_human_eval": "flame.data.sources.rankgen_human_eval:SOURCE",
    "contrsearch_human_eval": "flame.data.sources.contrsearch_human_eval:SOURCE",
    "copoet_human_eval": "flame.data.sources.copoet_human_eval:SOURCE",
    "wice": "flame.data.sources.wice:SOURCE",
    "factcheck_gpt": "flame.data.sources.factcheck_gpt:SOURCE",
    "cobbler": "flame.data.sources.cobbler:SOURCE",
    "human_eval": "flame.data.sources.human_eval:SOURCE",
    "codet_humaneval_samples": "flame.data.sources.codet_humaneval_samples:SOURCE",
    "littrans": "flame.data.sources.littrans:SOURCE",
}
HUB = {
    # general response quality
    "helpsteer": "flame.data.sources.helpsteer:SOURCE",
    "shp": "flame.data.sources.shp:SOURCE",
    "hh_rlhf_hub": "flame.data.sources.hh_rlhf_hub:SOURCE",
    "summarize_feedback": "flame.data.sources.summarize_feedback:SOURCE",
    "seahorse": "flame.data.sources.seahorse:SOURCE",
    "beavertails": "flame.data.sources.beavertails:SOURCE",
    "beavertails_preference": "flame.data.sources.beavertails_preference:SOURCE",
    "feedbackqa": "flame.data.sources.feedbackqa:SOURCE",
    "instrusum": "flame.data.sources.instrusum:SOURCE",
    "crepe": "flame.data.sources.crepe:SOURCE",
    # factuality, math, coding, instruction tuning
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
EVAL_ORIGIN = {
    # FLAMe Table 1 benchmarks that are not in the mirror: evaluation only
    "alpacafarm": "flame.data.sources.alpacafarm:SOURCE",
    "summarize_feedback_axis": "flame.data.sources.summarize_feedback_axis:SOURCE",
    "lfqa_eval": "flame.data.sources.lfqa_eval:SOURCE",
}
# Hub sources that read a moving revision, and why no commit is pinned.
UNPINNED = {
    "esnli": "no full commit hash of esnli (esnli/esnli) found in stored Hub pages or public code; public code "
             "reads it from refs/convert/parquet or with trust_remote_code, so `main` may hold only a loading script",
    "instrusum": "no full commit hash of Salesforce/InstruSum found in stored Hub pages or public code (the "
                 "repository is gated; public code loads it without a revision)",
}

SOURCES: Registry[Source] = Registry("source", {**MIRRORED, **HUB, **EVAL_ORIGIN})
