"""The benchmark registry: RewardBench, LLM-AggreFact and FLAMe's held-out pairwise sets.

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
}

BENCHMARKS: Registry[Benchmark] = Registry("benchmark", BUILTINS)

__all__ = ["BENCHMARKS", "Benchmark", "Item", "Loaded"]
