"""`python -m flame.train sft|rm ...`: the entry point for `accelerate launch -m flame.train ...`.

    python -m flame.train sft --config CONFIG [key=value ...] [--resume]
    python -m flame.train rm --init CKPT [--mixture M] [--steps N] [--batch B] [--config CONFIG] [key=value ...] [--resume]

The same recipes, options and progress as `flame train sft|rm`, read with argparse so that a
training process needs nothing of the CLI. A FlameError (a bad config, option or checkpoint)
or an unknown name is printed as "error: ..." on stderr, exit code 2, as a usage error is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from flame.core.errors import FlameError

from .rm import RM_BATCH, RM_MIXTURE, RM_STEPS

PROG = "python -m flame.train"


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top-level parser (for usage and help) and one parser per recipe."""
    top = argparse.ArgumentParser(prog=PROG, description="Train a FLAMe (sft) or FLAMe-RM (rm) judge.")
    recipes = top.add_subparsers(dest="recipe", metavar="{sft,rm}", required=True)
    sft = recipes.add_parser("sft", help="Multitask supervised fine-tuning on a mixture (FLAMe).")
    sft.add_argument("--config", required=True,
                     help="A training config: a YAML file, or the name of a shipped one (`flame train configs`).")
    rm = recipes.add_parser("rm", help="FLAMe-RM: continue a FLAMe checkpoint on the balanced pairwise mixture.")
    rm.add_argument("--init", required=True, help="The FLAMe checkpoint (or run directory) to start from.")
    rm.add_argument("--mixture", default=RM_MIXTURE, help=f"The mixture to fine-tune on (default {RM_MIXTURE}).")
    rm.add_argument("--steps", type=int, default=RM_STEPS, help=f"Optimizer steps (paper: {RM_STEPS}).")
    rm.add_argument("--batch", type=int, default=RM_BATCH, help=f"Examples per step (paper: {RM_BATCH}).")
    rm.add_argument("--config", help="Base config; default: the one the checkpoint was trained with.")
    for parser in (sft, rm):
        parser.add_argument("overrides", nargs="*", metavar="key=value",
                            help="Config overrides (e.g. max_steps=100 lora=true).")
        parser.add_argument("--resume", action="store_true", help="Continue from the newest checkpoint in output_dir.")
    return top, {"sft": sft, "rm": rm}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the recipe argv names (default: sys.argv[1:]); the exit code."""
    from .config import TrainConfig
    from .rm import rm_config
    from .run import train_and_report

    argv = list(sys.argv[1:] if argv is None else argv)
    top, recipes = _parsers()
    if not argv or argv[0] not in recipes:
        top.parse_args(argv)  # prints usage or help, and exits
    # intermixed: overrides may come before, between or after the options, as the CLI allows
    args = recipes[argv[0]].parse_intermixed_args(argv[1:])
    try:
        if argv[0] == "sft":
            cfg = TrainConfig.from_yaml(args.config, args.overrides)
        else:
            base = TrainConfig.from_yaml(args.config) if args.config else None
            cfg = rm_config(args.init, mixture=args.mixture, steps=args.steps, batch=args.batch, base=base,
                            overrides=args.overrides)
        train_and_report(cfg, resume=args.resume)
    except (FlameError, KeyError) as e:  # as the CLI: a RegistryError (an unknown name) is a KeyError
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
