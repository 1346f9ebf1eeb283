"""flame.core: records, the FLAMe text-to-text format, the registry, the pairwise task shape
(flame.core.pairwise), cache paths and atomic writes (flame.core.files). Imports no torch."""

from .errors import DataError, FlameError, MissingExtraError
from .records import (
    Capability,
    Example,
    InputField,
    LabelKind,
    LabelSpace,
    OutputField,
    Provenance,
    Role,
    TaskSpec,
    TaskType,
)
from .registry import Registry, RegistryError
from .template import TEMPLATE_VERSION, ParseResult, Prompt, parse, render, template_hash

__all__ = [
    "Capability", "DataError", "Example", "FlameError", "InputField", "LabelKind", "LabelSpace",
    "MissingExtraError", "OutputField", "ParseResult", "Prompt", "Provenance", "Registry",
    "RegistryError", "Role", "TEMPLATE_VERSION", "TaskSpec", "TaskType", "parse", "render",
    "template_hash",
]
