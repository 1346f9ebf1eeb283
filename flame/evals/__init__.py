"""Evaluation of judges: benchmarks, runners, and the sandbox for untrusted code."""
