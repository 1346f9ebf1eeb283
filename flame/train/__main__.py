"""`python -m flame.train sft|rm ...`: the entry point for `accelerate launch -m flame.train ...`."""

from flame.cli.train import app

app()
