"""Publishing a trained judge: the LoRA adapter of a checkpoint plus a model card.

    flame train card runs/flame-smollm2/checkpoints/step-000090 --name flame-smollm2-135m \
        --out flame/models/flame-smollm2-135m --compare base=results/base.json --compare trained=results/flame.json

The card (README.md, Hugging Face model-card layout) states what a reader needs to trust or
reproduce the judge: the data (collection, mixture, examples drawn per task), steps, tokens,
losses, wall time, hardware, the training config, and benchmark results of the judge beside
its untrained base, read from `flame eval run` results files, never typed in, with the paired
comparison of the judge's run (the last) against each other run on the items both judged. A
judge trained in stages (a run initialised from another run's checkpoint, `init=`) is described stage by
stage, back to the base model, from the checkpoints on this machine. `publish` does all of
`flame train card`: the adapter, then the card.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

from flame.core.errors import DataError
from flame.data.mixture import drawn_per_task, load_mixture
from flame.evals.compare import comparison, paired_lines, run_lines
from flame.evals.paired import compare as compare_runs
from flame.evals.report import load_results
from flame.judge.models import JUDGE_FILE

from .checkpoint import STATE_FILE
from .config import ConfigError

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
BASE_MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
MAX_ADAPTER_BYTES = 25 * 2**20
LOSS_KIND = {"ab": "mean over target tokens", "separate": "Bradley-Terry, mean over pairs"}


def read_state(ckpt: str | Path) -> dict[str, Any]:
    """The trainer state of a checkpoint directory (step-NNNNNN/)."""
    path = Path(ckpt) / STATE_FILE
    if not path.is_file():
        raise ConfigError(f"{ckpt} is not a flame checkpoint (no {STATE_FILE})")
    return json.loads(path.read_text())


def _hardware() -> str:
    """This machine in words, for a card's hardware line (e.g. "16-core x86_64 CPU (Linux), no GPU")."""
    return f"{os.cpu_count()}-core {platform.machine()} CPU ({platform.system()}), no GPU"


def publish(ckpt: str | Path, out: str | Path, *, name: str, compare: Sequence[str] = (), wall: str,
            hardware: str | None = None, summary: str = "") -> Path:
    """Export ckpt's LoRA adapter to out and write its model card there; the card's path.

    compare: LABEL=results.json items (`flame eval run` results, base first, this judge's
    run last: the card compares it item by item with each of the others; a bad item is a
    DataError); summary: the card's opening paragraph, or @FILE to read it from a file;
    hardware: where it trained, default this machine.
    """
    runs = []
    for item in compare:
        label, sep, path = item.partition("=")
        if not sep:
            raise DataError(item, "--compare takes LABEL=results.json")
        runs.append((label, load_results([Path(path)])[0][1]))
    text = Path(summary[1:]).read_text().strip() if summary.startswith("@") else summary
    export_adapter(ckpt, out)
    return write_card(out, name=name, ckpt=ckpt, runs=runs, wall=wall, hardware=hardware or _hardware(), summary=text)


def export_adapter(ckpt: str | Path, out: str | Path, base_model_id: str = BASE_MODEL_ID) -> Path:
    """Copy a checkpoint's LoRA adapter to out, naming the public base model in its config, with
    the judge.json that makes the judge judge pairs the way it was trained (config `pairwise`)."""
    src, out = Path(ckpt) / "model", Path(out)
    missing = [f for f in ADAPTER_FILES if not (src / f).is_file()]
    if missing:
        raise ConfigError(f"{src} holds no LoRA adapter (missing {', '.join(missing)}); only adapters are published")
    size = (src / "adapter_model.safetensors").stat().st_size
    if size > MAX_ADAPTER_BYTES:
        raise ConfigError(f"{src}/adapter_model.safetensors is {size / 2**20:.1f} MiB, over the 25 MiB limit")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "adapter_model.safetensors", out / "adapter_model.safetensors")
    config = json.loads((src / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = base_model_id  # not the converted copy's local path
    (out / "adapter_config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    # the judge is asked as it was trained: a separate-mode adapter judges pairs separately by default
    pairwise = read_state(ckpt)["config"].get("pairwise", "ab")
    (out / JUDGE_FILE).write_text(json.dumps({"pairwise": pairwise}) + "\n")
    return out


@dataclass(frozen=True)
class Stage:
    """One training run of a judge trained in stages (each later one initialised from the last
    checkpoint of the one before): its checkpoint, trainer state, the examples it drew of each
    task (None when they cannot be known here) and the examples seen before it."""

    ckpt: Path
    state: Mapping[str, Any]
    drawn: Mapping[str, int] | None
    before: int


def training_stages(ckpt: str | Path) -> list[Stage]:
    """The stages that trained ckpt, the first first: its own run, and the run of the checkpoint
    its config's `init` names, back while that is a flame checkpoint on this machine."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    path: Path | None = Path(ckpt)
    while path is not None and (path / STATE_FILE).is_file() and all(path.resolve() != p.resolve() for p, _ in chain):
        state = read_state(path)
        chain.append((path, state))
        init = state["config"].get("init")
        path = Path(init) if init else None
    stages, before = [], 0
    for path, state in reversed(chain):
        stages.append(Stage(path, state, drawn_of(state), before))
        before += state["examples"]
    return stages


def drawn_of(state: Mapping[str, Any]) -> dict[str, int] | None:
    """The examples a run drew of each task: read from its mixture position while every task is
    still in its first shard of its first epoch (the rows emitted are then the rows drawn),
    else replayed from the mixture's rates when its collection is on this machine (the same
    build it trained on), else None."""
    mixture, cfg = state["mixture"], state["config"]
    positions = mixture["tasks"].values()
    if all(p["epoch"] == 0 and p["shard"] == 0 for p in positions):
        return {t: p["offset"] for t, p in mixture["tasks"].items()}
    if not Path(cfg["collection"]).is_dir():
        return None
    rates = load_mixture(cfg["mixture"]).resolve(cfg["collection"], "train").rates
    if sorted(rates) != sorted(mixture["tasks"]):
        return None  # the collection was rebuilt with other tasks since
    return drawn_per_task(rates, mixture["seed"], mixture["drawn"])


def write_card(out: str | Path, *, name: str, ckpt: str | Path, runs: Sequence[tuple[str, Mapping[str, Any]]],
               wall: str, hardware: str, summary: str, base_model_id: str = BASE_MODEL_ID) -> Path:
    """Write out/README.md for the adapter trained in ckpt (see the module docstring); a judge
    trained in stages gets a table of them, its examples drawn per task in each, and its loss
    and learning curves over all of them."""
    stages = training_stages(ckpt)
    state = stages[-1].state
    cfg, history = state["config"], [h for h in state["history"] if "loss" in h]
    losses = [h["loss"] for h in history]
    last = losses[-10:]
    first_init = stages[0].state["config"].get("init")
    lora_on = cfg["lora_targets"] + (f" of the top {cfg['lora_layers']} layers" if cfg.get("lora_layers") else "")
    lines = [
        "---", f"base_model: {base_model_id}", "library_name: peft", "license: apache-2.0",
        "tags: [flame, autorater, llm-as-a-judge, lora]", "---", "", f"# {name}", "", summary, "",
        "## Use", "", "```bash", f"flame judge pairwise --model {name} --prompt ... --a ... --b ...",
        f"flame eval run heldout --model {name}", "```", "",
        (f"The adapter applies to {base_model_id} (flame's bundled `smollm2-135m`). Judge prompts use "
        "flame's FLAMe template (INSTRUCTIONS / CONTEXT / EVALUATION) in the model's chat format."), "",
        "## Training", "",
    ]
    if len(stages) > 1:
        total = stages[-1].before + state["examples"]
        tokens = sum(st.state["tokens"] for st in stages)
        start = first_init or stages[0].state["config"]["model"] + " (the base model)"
        lines += [f"Trained in {len(stages)} stages, the first from {start}, each later one from the last checkpoint "
                  f"of the one before: {total:,} examples and {tokens:,} tokens in all.", "",
                  "| stage | checkpoint | mixture | collection | steps x batch | examples | examples in all |",
                  "|---:|---|---|---|---:|---:|---:|"]
        lines += [f"| {i} | `{st.ckpt}` | `{st.state['config']['mixture']}` | `{st.state['config']['collection']}` | "
                  f"{st.state['step']} x {st.state['config']['batch_size']} | {st.state['examples']:,} | "
                  f"{st.before + st.state['examples']:,} |" for i, st in enumerate(stages, start=1)]
        lines += ["", "The last stage:", ""]
    lines += [
        f"- Initialised from: {cfg.get('init') or cfg['model'] + ' (the base model)'}",
        f"- Data: the flame collection at `{cfg['collection']}` (built from the public mirror with "
        "`flame data build`), mixture `" + cfg["mixture"] + "`",
        (f"- Steps: {state['step']} x batch {cfg['batch_size']} = {state['examples']:,} examples, "
        f"{state['tokens']:,} tokens (prompt + target), max length {cfg['max_length']}"),
        (f"- Loss ({LOSS_KIND[cfg.get('pairwise', 'ab')]}): {_num(losses[:1])} at step 1, mean of the last "
         f"{len(last)} steps {_num(last, avg=True)}, final {_num(losses[-1:])}"),
        (f"- Optimiser: AdamW (weight decay {cfg['weight_decay']}), lr {cfg['lr']}, {cfg['schedule']} schedule; "
        f"LoRA r={cfg['lora_r']}, alpha={cfg['lora_alpha']}, dropout {cfg['lora_dropout']} on {lora_on}; "
        f"model dropout {cfg['dropout']}, {cfg['dtype']}"),
        f"- Wall time: {wall}", f"- Hardware: {hardware}", "",
    ]
    lines += _drawn_table(stages)
    lines += ["Loss curve (every logged step):", "", "```"]
    for i, st in enumerate(stages, start=1):
        head = f"stage {i}: " if len(stages) > 1 else ""
        lines.append(head + " ".join(f"{h['step']}:{h['loss']:.2f}" for h in st.state["history"] if "loss" in h))
    lines += ["```", ""]
    lines += learning_curve(stages, out)
    lines += ["Training config" + (" of the last stage" if len(stages) > 1 else "") + ":", "", "```json",
              json.dumps(cfg, indent=1, sort_keys=True), "```", ""]
    if runs:
        how = ("Each candidate of a pair is scored on its own and P(A) = sigmoid(s_A - s_B) (`--pairwise separate`), "
               "so candidate order cannot matter." if cfg.get("pairwise") == "separate"
               else "Both candidate orders are judged and averaged.")
        lines += ["## Results", "", f"Scores are % (accuracy; pass@1 for code). {how} Each column is one "
                  "`flame eval run` results file:", ""]
        lines += run_lines(runs) + [""] + comparison(runs)
        lines += paired_lines([compare_runs(other, runs[-1]) for other in runs[:-1]])
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.md").write_text("\n".join(lines))
    return out / "README.md"


def _drawn_table(stages: Sequence[Stage]) -> list[str]:
    """Examples drawn per task, a column per stage (and their sum) when there are several."""
    known = {i: st.drawn for i, st in enumerate(stages, start=1) if st.drawn is not None}
    if not known:
        return []
    tasks = sorted({t for c in known.values() for t, n in c.items() if n},
                   key=lambda t: (-sum(c.get(t, 0) for c in known.values()), t))
    if len(stages) == 1:
        (c,) = known.values()
        return (["Examples drawn per task:", "", "| task | examples |", "|---|---:|"]
                + [f"| {t} | {c[t]} |" for t in tasks] + [""])
    missing = [str(i) for i in range(1, len(stages) + 1) if i not in known]
    note = f" (stage {', '.join(missing)}: not known here, its collection is not on this machine)" if missing else ""
    head = ["task"] + [f"stage {i}" for i in known] + ["all"]
    lines = [f"Examples drawn per task{note}:", "", "| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    lines += [f"| {t} | " + " | ".join(str(c.get(t, 0)) for c in known.values())
              + f" | {sum(c.get(t, 0) for c in known.values())} |" for t in tasks]
    return lines + [""]


def learning_curve(stages: Sequence[Stage], out: str | Path) -> list[str]:
    """The card's learning-curve section: a table of every validation during training (judged
    by the Autorater, as benchmarks are), over all stages by examples seen, and, with
    matplotlib, a plot `learning_curve.png` in out."""
    points = [(i, st.before + h["step"] * st.state["config"]["batch_size"], h)
              for i, st in enumerate(stages, start=1) for h in st.state["history"] if "val_accuracy" in h]
    if not points:
        return []
    tasks = sorted({k.split("/", 1)[1] for _, _, h in points for k in h if k.startswith("val_accuracy/")})
    head = ["step", "examples", "accuracy", "orders agree", "first shown picked"] + tasks
    lines = ["Learning curve: validation during training, each example of the tasks' validation splits judged by the "
             "Autorater as `flame eval` judges (accuracy %; orders agree and first shown picked only where both "
             "candidate orders are shown" + ("; steps count within each stage, examples over all of them"
                                             if len(stages) > 1 else "") + "):",
             "", "| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for stage, seen, h in points:
        step = str(h["step"]) if len(stages) == 1 else f"{h['step']} (stage {stage})"
        cells = [step, f"{seen:,}"] + [_pct(h.get(k)) for k in
                 ["val_accuracy", "val_orders_agree", "val_first_shown"] + [f"val_accuracy/{t}" for t in tasks]]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    try:
        import matplotlib
    except ImportError:
        return lines
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    seen = [x for _, x, _ in points]
    ax.plot(seen, [100 * h["val_accuracy"] for _, _, h in points], marker="o", linewidth=2, label="all tasks")
    for t in tasks:
        ax.plot(seen, [100 * h.get(f"val_accuracy/{t}", float("nan")) for _, _, h in points], marker=".", alpha=0.6,
                label=t)
    for st in stages[1:]:
        ax.axvline(st.before, color="grey", linestyle="--", linewidth=1)
    ax.axhline(50, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("training examples seen" + (" (dashed: a new stage)" if len(stages) > 1 else ""))
    ax.set_ylabel("validation accuracy (%)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    Path(out).mkdir(parents=True, exist_ok=True)
    fig.savefig(Path(out) / "learning_curve.png", dpi=100)
    plt.close(fig)
    return lines + ["![learning curve](learning_curve.png)", ""]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _num(values: Sequence[float], avg: bool = False) -> str:
    if not values:
        return "–"
    return f"{mean(values) if avg else values[0]:.3f}"
