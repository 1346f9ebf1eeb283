"""The registry: duplicates fail, misses suggest close names, lazy entries import on use."""

from __future__ import annotations

import pytest

from flame.core import Registry, RegistryError
from flame.data.sources import SOURCES


def test_duplicate_name_fails():
    r: Registry[int] = Registry("widget")
    r.register("a", 1)
    with pytest.raises(RegistryError, match="already registered"):
        r.register("a", 2)


def test_miss_says_did_you_mean():
    with pytest.raises(RegistryError, match="did you mean 'hh_rlhf'"):
        SOURCES.get("hh_rlfh")


def test_lazy_entry_imports_on_first_get():
    r: Registry[object] = Registry("thing", {"dumps": "json:dumps"})
    import json

    assert r.get("dumps") is json.dumps


def test_unregister_removes_a_plug_in_and_a_second_removal_fails():
    r: Registry[int] = Registry("widget", {"lazy": "json:dumps"})
    r.register("a", 1)
    r.unregister("a")
    r.unregister("lazy")
    assert r.names() == []
    with pytest.raises(RegistryError, match="unknown widget 'a'"):
        r.unregister("a")
