"""A rich progress bar for training runs: step, loss, tokens/s and ETA (main process only)."""

from __future__ import annotations

from typing import Any


class ProgressBar:
    """Training callback that draws a rich progress bar and prints validation results."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def on_train_begin(self, state: Any) -> None:
        if not state.is_main_process:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("[bold]train"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        )
        self._progress.start()
        self._task = self._progress.add_task("train", total=state.max_steps, completed=state.step, info="")

    def on_step_end(self, state: Any, metrics: dict[str, float]) -> None:
        if self._progress is not None:
            info = f"loss {metrics['loss']:.4f}  {metrics['tokens_per_s']:,.0f} tok/s"
            self._progress.update(self._task, completed=state.step, info=info)

    def on_validation(self, state: Any, metrics: dict[str, float]) -> None:
        if self._progress is not None:
            parts = [f"{label} {metrics[key]:.3f}" for key, label in
                     (("val_accuracy", "accuracy"), ("val_orders_agree", "orders agree"),
                      ("val_first_shown", "first shown picked")) if key in metrics]
            self._progress.console.print(f"step {state.step}: validation " + (", ".join(parts) or "(nothing judged)"))

    def on_train_end(self, state: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop drawing (also after a failed run)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class LogLines:
    """Training callback for a log file (output not a terminal): one plain line per `log_every`
    steps with the means over those steps, and one per validation, flushed at once, so a
    background run can be followed with `tail -f`."""

    def __init__(self, log_every: int) -> None:
        self.log_every = log_every
        self._since: list[dict[str, float]] = []

    def on_train_begin(self, state: Any) -> None:
        if state.is_main_process:
            print(f"training from step {state.step} to {state.max_steps}", flush=True)

    def on_step_end(self, state: Any, metrics: dict[str, float]) -> None:
        self._since.append(metrics)
        if state.is_main_process and (state.step % self.log_every == 0 or state.step == state.max_steps):
            def mean(key: str) -> float:
                return sum(m[key] for m in self._since) / len(self._since)

            pairs = f"  pairs right {mean('pair_accuracy'):.2f}" if all("pair_accuracy" in m for m in self._since) else ""
            print(f"step {state.step}/{state.max_steps}  examples {state.examples:,}  loss {mean('loss'):.4f}{pairs}  "
                  f"{mean('tokens_per_s'):,.0f} tok/s  (means of {len(self._since)} steps)", flush=True)
            self._since = []

    def on_validation(self, state: Any, metrics: dict[str, float]) -> None:
        if state.is_main_process:
            shown = {k: round(v, 3) for k, v in sorted(metrics.items())}
            print(f"step {state.step} validation {shown}", flush=True)
