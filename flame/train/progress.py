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
            acc = f", accuracy {metrics['val_accuracy']:.3f}" if "val_accuracy" in metrics else ""
            self._progress.console.print(f"step {state.step}: validation loss {metrics['val_loss']:.4f}{acc}")

    def on_train_end(self, state: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop drawing (also after a failed run)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
