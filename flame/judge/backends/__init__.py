"""Judge backends (hf, llamacpp, openai, vllm) and the shared wrappers in `base`.

Backend modules are imported only when chosen (see flame.judge.models.BACKENDS).
"""
