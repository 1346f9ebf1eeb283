"""The benchmark registry: RewardBench, LLM-AggreFact, FLAMe's held-out pairwise sets, the
other benchmarks of FLAMe's Table 1 (HelpSteer, SummFeedback, AlpacaFarm, LFQAEval), the
CoBBLEr bias audit and HumanEval code reranking.

Built-ins are listed in one static map of lazy references (nothing is imported until a
benchmark is asked for).
"""

from __future__ import annotations

from flame.core.registry import Registry

from .base import Benchmark, Item, Loaded

BUILTINS = {
    "rewardbench": "flame.evals.benchmarks.rewardbench:BENCHMARK",
    "aggrefact": "flame.evals.benchmarks.aggrefact:BENCHMARK",
    "heldout": "flame.evals.benchmarks.heldout:BENCHMARK",
    "helpsteer": "flame.evals.benchmarks.ratings:HELPSTEER",
    "summfeedback": "flame.evals.benchmarks.ratings:SUMMFEEDBACK",
    "alpacafarm": "flame.evals.benchmarks.preferences:ALPACAFARM",
    "lfqaeval": "flame.evals.benchmarks.preferences:LFQAEVAL",
    "cobbler": "flame.evals.benchmarks.cobbler:BENCHMARK",
    "code-rerank": "flame.evals.benchmarks.code_rerank:BENCHMARK",
    "code-rerank-pointwise": "flame.evals.benchmarks.code_rerank:POINTWISE_BENCHMARK",
}

BENCHMARKS: Registry[Benchmark] = Registry("benchmark", BUILTINS)

__all__ = ["BENCHMARKS", "Benchmark", "Item", "Loaded"]
