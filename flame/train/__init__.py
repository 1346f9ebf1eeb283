"""Training recipes: FLAMe multitask SFT (`sft`), FLAMe-RM (`rm`), on one CPU or many GPUs via accelerate.

Nothing heavy is imported here; torch, transformers, peft and accelerate load when a recipe runs.
"""
