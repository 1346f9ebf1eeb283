"""Fixtures for the data tests."""

from __future__ import annotations

from collections import defaultdict

import pytest

from flame.data.files import SourceFiles
from flame.data.source import Rejected


@pytest.fixture(scope="module")
def read(request, mirror):
    """(examples by task, rejected rows) of the test module's SOURCE, read from the real mirror."""
    source = request.module.SOURCE
    by_task, rejected = defaultdict(list), []
    for item in source.items(SourceFiles(source, mirror=mirror)):
        if isinstance(item, Rejected):
            rejected.append(item)
        else:
            by_task[item.task].append(item)
    return by_task, rejected
