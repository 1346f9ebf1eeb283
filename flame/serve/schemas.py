"""Request and response bodies of the HTTP API (pydantic; imports no torch).

Judge requests carry the same fields as a line of `flame judge file` input, plus the options
the CLI takes as flags (a pointwise `scale`, the classification `classes`), checked by the
rules of flame.judge.request (an empty prompt or text is refused, an empty response judged;
a scale of at most MAX_SCALE_STEPS steps). Every request model is strict: an unknown field,
or a value of the wrong JSON type, is a 422 that names the field. A judge endpoint takes one
item (answered with one judgment) or a list of items (answered with a list, in the same order).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from flame.judge.adhoc import classification_long_input
from flame.judge.request import (
    CLASS_NAME_PATTERN,
    MAX_CLASS_CHARS,
    MAX_CLASSES,
    SCALE_PATTERN,
    check_classes,
    parse_scale,
    require_text,
)

MAX_ITEMS = 256  # items in one judge request
MAX_CANDIDATES = 20  # candidates of one rerank item: a tournament of 20 is 190 pairs

ItemId = Annotated[str | int, Field(description="your id for the item; echoed in the judgment")]
ClassName = Annotated[str, Field(min_length=1, max_length=MAX_CLASS_CHARS, pattern=f"^{CLASS_NAME_PATTERN}$",
                                  description="a label: one line, no leading or trailing space")]
Scale = Annotated[str, Field(pattern=f"^{SCALE_PATTERN}$", description="integer scale LOW-HIGH, e.g. 1-5")]
Prompt = Annotated[str, Field(description="the prompt being answered; not empty (a response may be)"),
                   AfterValidator(partial(require_text, "prompt"))]
Text = Annotated[str, Field(description="the text to classify; not empty"),
                 AfterValidator(partial(require_text, "text"))]


class Strict(BaseModel):
    """Base of the request bodies: unknown fields and JSON type coercion are rejected."""

    model_config = ConfigDict(extra="forbid", strict=True)


Classes = Annotated[list[ClassName], Field(min_length=2, max_length=MAX_CLASSES, json_schema_extra={"uniqueItems": True},
                                           description="two or more distinct class names"),
                    AfterValidator(lambda names: list(check_classes(names)))]


class PairwiseItem(Strict):
    """Which of two responses to a prompt is better."""

    prompt: Prompt
    response_a: str
    response_b: str
    criteria: str | None = Field(None, description="what 'better' means for you")
    id: ItemId | None = None


class PointwiseItem(Strict):
    """Rate one response on an integer scale."""

    prompt: Prompt
    response: str
    criteria: str | None = Field(None, description="what to rate (default: overall quality)")
    scale: Scale = "1-5"
    id: ItemId | None = None

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: str) -> str:
        parse_scale(v)
        return v


SPLIT_LONG = ("a text longer than the server takes is judged in chunks of whole sentences, keeping the chunk "
              "most likely this class (e.g. Yes for 'does the text support X?'); without it such a text is a 413")


def _split_long_in_classes(split_long: str | None, classes: list[str]) -> None:
    try:
        classification_long_input(split_long, classes)
    except ValueError as e:
        raise ValueError(f"split_long {e}") from None


class ClassifyItem(Strict):
    """Put a text into one of the named classes."""

    text: Text
    classes: Classes
    question: str | None = Field(None, description="the question the classes answer")
    split_long: str | None = Field(None, description=SPLIT_LONG)
    id: ItemId | None = None

    @model_validator(mode="after")
    def _split_long(self) -> "ClassifyItem":
        _split_long_in_classes(self.split_long, self.classes)
        return self


def _one_or_many(item: type[BaseModel]) -> Any:
    """A body that is one item or a list of them; errors come only from the shape sent."""
    many = Annotated[list[item], Field(min_length=1, max_length=MAX_ITEMS)]  # type: ignore[valid-type]
    return Annotated[
        Annotated[item, Tag("item")] | Annotated[many, Tag("items")],
        Discriminator(lambda v: "items" if isinstance(v, list) else "item"),
    ]


class RerankItem(Strict):
    """The best of several candidate responses to a prompt (as a line of `flame rerank` input)."""

    prompt: Prompt
    candidates: list[str] = Field(min_length=1, max_length=MAX_CANDIDATES,
                                  description="the candidate responses (an empty one is judged like any other)")
    method: Literal["tournament", "pointwise"] = Field(
        "tournament", description="tournament: round-robin of pairwise games in both candidate orders (one game "
                                  "per pair on a server judging with pairwise='separate'); "
                                  "pointwise: each candidate scored alone")
    criteria: str | None = Field(None, description="what 'better' means for you")
    scale: Scale = Field("1-5", description="pointwise: rate each candidate on this integer scale LOW-HIGH")
    question: str | None = Field(None, description="pointwise: score each candidate by P(Yes) to this question")
    id: ItemId | None = None

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: str) -> str:
        parse_scale(v)
        return v


PairwiseBody = _one_or_many(PairwiseItem)
PointwiseBody = _one_or_many(PointwiseItem)
ClassifyBody = _one_or_many(ClassifyItem)
RerankBody = _one_or_many(RerankItem)


class JudgmentOut(BaseModel):
    """One judgment (the fields of flame.core.judgment.Judgment) with the item's id."""

    id: str | None = Field(None, description="the item's id (jobs: the line's id, else 'line:N')")
    line: int | None = Field(None, description="jobs: the 1-based line of the JSONL input")
    task: str
    uid: str
    label: str | None
    probs: dict[str, float]
    expected: float | None
    raw: str
    valid: bool
    error: str
    order_probs: dict[str, dict[str, float]]
    order_labels: dict[str, str | None]
    orders_agree: bool | None
    first_order: Literal["AB", "BA"] | None
    target: str | None
    model: str
    chunks: int | None = Field(None, description="chunks an over-long input was judged in, if it was split")


class RankingOut(BaseModel):
    """The best of an item's candidates (the fields of a `flame rerank` output line)."""

    id: str | None = Field(None, description="the item's id")
    method: Literal["tournament", "pointwise"]
    best: int | None = Field(description="index of the chosen candidate; null when every judgment failed")
    best_text: str | None = Field(description="the chosen candidate")
    top: list[int] = Field(description="every candidate ranked first (several when tied)")
    scores: list[float | None] = Field(description="pointwise: each candidate's score (null where it has no finite "
                                                   "score); tournament: its summed probability of winning")
    wins: list[int] | None = Field(description="tournament: games each candidate won")
    judged: int = Field(description="judgments made (a tournament pair counts once)")
    invalid: int = Field(description="judgments that failed")
    errors: list[str] = Field(description="why they failed (distinct reasons)")
    model: str


class _Job(Strict):
    jsonl: str = Field(description="one JSON object per line, fields as for `flame judge file`")


class PairwiseJob(_Job):
    """A pairwise batch: lines with prompt, response_a, response_b; optional criteria, id."""

    task: Literal["pairwise"]
    criteria: str | None = Field(None, description="default criteria for lines without one")


class PointwiseJob(_Job):
    """A pointwise batch: lines with prompt, response; optional criteria, id."""

    task: Literal["pointwise"]
    criteria: str | None = Field(None, description="default criteria for lines without one")
    scale: Scale = "1-5"

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: str) -> str:
        parse_scale(v)
        return v


class ClassificationJob(_Job):
    """A classification batch: lines with text; optional question, id."""

    task: Literal["classification"]
    classes: Classes
    question: str | None = Field(None, description="default question for lines without one")
    split_long: str | None = Field(None, description=SPLIT_LONG)

    @model_validator(mode="after")
    def _split_long(self) -> "ClassificationJob":
        _split_long_in_classes(self.split_long, self.classes)
        return self


JobRequest = Annotated[PairwiseJob | PointwiseJob | ClassificationJob, Field(discriminator="task")]


class JobCreated(BaseModel):
    """A job accepted for processing."""

    id: str
    status: str
    total: int = Field(description="lines to judge")


class JobOut(BaseModel):
    """A job's state and (a page of) its results, in line order."""

    id: str
    task: str
    status: Literal["queued", "running", "done", "failed"]
    total: int
    done: int = Field(description="lines judged so far")
    invalid: int = Field(description="judged lines whose output could not be read as a label")
    error: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    offset: int
    next_offset: int | None = Field(description="offset of the next page of results, if any")
    results: list[JudgmentOut]


class Health(BaseModel):
    """Liveness and load."""

    status: Literal["ok", "starting", "draining"]
    model: str | None
    queue_depth: int
    jobs_pending: int


class ErrorOut(BaseModel):
    """An error: `detail` says what went wrong (validation errors also list each problem)."""

    detail: Any
    message: str | None = None
