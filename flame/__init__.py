"""flame: FLAMe autoraters — build the human-judgment collection, train, run and evaluate LLM judges."""

__version__ = "0.1.0"
