"""One Registry class for everything users plug in: sources, tasks, benchmarks, backends, ...

Built-ins are declared in one static map of lazy `"module:attribute"` references, so a
registry never depends on import side effects and listing names imports nothing heavy.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Generic, Iterator, Mapping, TypeVar

T = TypeVar("T")


class RegistryError(KeyError):
    """A missing or duplicate registry name. The message says what to do."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly
        return str(self.args[0]) if self.args else ""


class Registry(Generic[T]):
    """A named collection of plug-ins of one kind.

    Entries are either objects or lazy references ("package.module:attr") that are
    imported on first `get`. Duplicate names fail; a miss suggests close names.
    """

    def __init__(self, kind: str, builtins: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self._lazy: dict[str, str] = {}
        self._loaded: dict[str, T] = {}
        for name, ref in (builtins or {}).items():
            self.register_lazy(name, ref)

    def register(self, name: str, obj: T) -> T:
        """Add obj under name; a name may be registered once."""
        self._check_new(name)
        self._loaded[name] = obj
        return obj

    def register_lazy(self, name: str, ref: str) -> None:
        """Add a "module:attr" reference that is imported on first use."""
        if ":" not in ref:
            raise ValueError(f"lazy reference for {self.kind} {name!r} must look like 'module:attr', got {ref!r}")
        self._check_new(name)
        self._lazy[name] = ref

    def unregister(self, name: str) -> None:
        """Remove an entry (e.g. a plug-in a test registered for its own duration)."""
        if name not in self:
            raise RegistryError(self._miss_message(name))
        self._lazy.pop(name, None)
        self._loaded.pop(name, None)

    def get(self, name: str) -> T:
        """The entry called name, importing it if needed."""
        if name in self._loaded:
            return self._loaded[name]
        if name not in self._lazy:
            raise RegistryError(self._miss_message(name))
        module, _, attr = self._lazy[name].partition(":")
        obj = getattr(importlib.import_module(module), attr)
        self._loaded[name] = obj
        return obj

    def names(self) -> list[str]:
        """All registered names, sorted."""
        return sorted({*self._lazy, *self._loaded})

    def items(self) -> Iterator[tuple[str, T]]:
        """(name, entry) pairs in name order; imports lazy entries."""
        for name in self.names():
            yield name, self.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._lazy or name in self._loaded

    def __len__(self) -> int:
        return len(self.names())

    def _check_new(self, name: str) -> None:
        if name in self:
            raise RegistryError(f"{self.kind} {name!r} is already registered")

    def _miss_message(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"unknown {self.kind} {name!r}{hint} (known: {', '.join(self.names()) or 'none'})"
