"""The text and tokens a model sees for a FLAMe prompt: one layout for every backend and for training.

- Chat layout (`chat_prepare`, `render_chat`): where the model has a chat template, the
  prompt's INSTRUCTIONS and CONTEXT blocks form the user turn and the assistant turn starts
  with the `EVALUATION:` header, so the header still ends the text the model continues and
  the verdict lines are the assistant's answer. A prompt without that header goes whole into
  the user turn. transformers and vLLM render the tokenizer's template; llama.cpp renders the
  GGUF's template with the same sandboxed Jinja; training (flame.train.data) prepares its
  prompts with `prepare`, so a model is judged exactly as it was trained.
- Tokens (`encode_context`, `split_whitespace`): no special tokens, except the model's BOS
  where it expects one; trailing spaces of a context move to the front of its continuation
  (lm-eval-harness's rule), so labels are scored as they are tokenized in running text.
- `format_hash` names all of that in a backend's fingerprint: bump PREPARE_VERSION whenever
  the text a model sees changes, so cached judgments of the old text are not reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flame.core.records import stable_hash
from flame.core.template import EVALUATION_HEADER, template_hash

PREPARE_VERSION = "1"  # bump when the text a model sees for a prompt changes


def format_hash(layout: str | None) -> str:
    """A short hash of the prompt format: the FLAMe template, PREPARE_VERSION and the backend's
    own layout (its chat template, or None for plain text)."""
    return stable_hash([template_hash(), PREPARE_VERSION, layout])


def chat_turn(prompt: str) -> tuple[str, str]:
    """(user turn, start of the assistant turn) of a FLAMe prompt: the EVALUATION header, when
    the prompt ends with it, opens the assistant turn."""
    if prompt.rstrip("\n").endswith(EVALUATION_HEADER):
        return prompt.rstrip("\n")[: -len(EVALUATION_HEADER)].rstrip("\n"), EVALUATION_HEADER + "\n"
    return prompt, ""


def chat_prepare(tokenizer: Any, prompt: str) -> str:
    """A FLAMe prompt in a transformers tokenizer's chat template (see the module docstring)."""
    body, header = chat_turn(prompt)
    turn = tokenizer.apply_chat_template([{"role": "user", "content": body}], tokenize=False, add_generation_prompt=True)
    return turn + header


def render_chat(template: str, prompt: str, *, bos_token: str, eos_token: str) -> str:
    """A FLAMe prompt in a raw Jinja chat template (a GGUF's), rendered as transformers renders
    one: sandboxed, trim_blocks and lstrip_blocks."""
    import jinja2.sandbox

    body, header = chat_turn(prompt)
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    turn = env.from_string(template).render(messages=[{"role": "user", "content": body}], add_generation_prompt=True,
                                            bos_token=bos_token, eos_token=eos_token)
    return turn + header


def has_chat_template(tokenizer: Any) -> bool:
    """Whether a transformers tokenizer has a chat template."""
    return bool(getattr(tokenizer, "chat_template", None))


def prepare(tokenizer: Any, prompt: str, chat: bool) -> str:
    """The text a transformers model continues: the chat layout when `chat` and the tokenizer
    has a template, else the prompt itself."""
    return chat_prepare(tokenizer, prompt) if chat and has_chat_template(tokenizer) else prompt


def bos_to_add(tokenizer: Any) -> int | None:
    """The BOS id when the tokenizer prepends one to plain text, else None."""
    bos = tokenizer.bos_token_id
    return bos if bos is not None and tokenizer("a").input_ids[:1] == [bos] else None


def encode_context(tokenizer: Any, text: str, bos: int | None | str = "auto") -> list[int]:
    """Token ids of a context: no special tokens added, except the model's BOS when it
    expects one and the text (e.g. from a chat template) does not already start with it."""
    if bos == "auto":
        bos = bos_to_add(tokenizer)
    ids = tokenizer(text, add_special_tokens=False).input_ids
    if bos is not None and not text.startswith(tokenizer.bos_token or "\0"):
        ids = [bos] + ids
    return ids


def split_whitespace(context: str, continuation: str) -> tuple[str, str]:
    """lm-eval's rule: trailing spaces of the context move to the start of the continuation."""
    stripped = context.rstrip(" ")
    return stripped, context[len(stripped):] + continuation


def common_prefix(seqs: Sequence[Sequence[int]]) -> int:
    """How many leading tokens all the sequences share."""
    n = min(len(s) for s in seqs)
    first = seqs[0]
    for i in range(n):
        if any(s[i] != first[i] for s in seqs):
            return i
    return n
