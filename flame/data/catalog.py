"""Look-ups across all registered sources: every task, and which source declares it."""

from __future__ import annotations

from functools import lru_cache

from flame.core.records import TaskSpec
from flame.core.registry import Registry

from .source import Source
from .sources import SOURCES


@lru_cache(maxsize=1)
def task_registry() -> Registry[TaskSpec]:
    """All tasks of all registered sources (duplicate task names fail loudly)."""
    tasks: Registry[TaskSpec] = Registry("task")
    for _, source in SOURCES.items():
        for task in source.tasks:
            tasks.register(task.name, task)
    return tasks


@lru_cache(maxsize=None)
def source_of(task_name: str) -> Source:
    """The source that declares task_name."""
    task_registry().get(task_name)  # raises with "did you mean" on a miss
    for _, source in SOURCES.items():
        if any(t.name == task_name for t in source.tasks):
            return source
    raise AssertionError("unreachable")
