"""The registry of public human-judgment sources: one module per dataset.

The built-in map is assembled here from three static lists (no import side effects):
the datasets mirrored in shared/data, and the Hub-hosted Table 7 datasets in
`_hub_general` (general response quality) and `_hub_other` (factuality, math, coding,
safety, instruction tuning).
"""

from __future__ import annotations

from flame.core.registry import Registry

from ..source import Source
from . import _hub_general, _hub_other

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
}

SOURCES: Registry[Source] = Registry("source", {**MIRRORED, **_hub_general.SOURCES, **_hub_other.SOURCES})
