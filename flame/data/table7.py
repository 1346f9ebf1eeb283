"""FLAMe's training datasets (Table 7 of the paper, PAPER.md §2.5) and where each stands here.

Each entry names the paper's dataset, its capability and output formats as the paper lists
them, and the flame sources that cover it. Its status is derived, never typed in:
`mirrored` (a source whose files are in the local mirror, FLAME_MIRROR), `needs download`
(a source whose data must come from its public origin: the Hugging Face Hub or a pinned
URL), `excluded` (registered with a stated reason, e.g. a non-permissive license), or
`not yet` (no adapter).
"""

from __future__ import annotations

from dataclasses import dataclass

from flame.core.records import Capability

GENERAL, FACT, MATH, CODE, SAFETY, IF = (
    Capability.GENERAL, Capability.FACTUALITY, Capability.MATH, Capability.CODING, Capability.SAFETY,
    Capability.INSTRUCTION_FOLLOWING,
)


@dataclass(frozen=True)
class Table7Entry:
    """One dataset row of FLAMe's Table 7."""

    dataset: str
    citation: str
    capability: Capability
    formats: tuple[str, ...]
    sources: tuple[str, ...] = ()  # flame source names that implement it
    excluded: str = ""  # why it is left out, when it is


def _e(dataset: str, citation: str, capability: Capability, formats: str, *sources: str, excluded: str = "") -> Table7Entry:
    return Table7Entry(dataset, citation, capability, tuple(f.strip() for f in formats.split(",")), sources, excluded)


TABLE7: tuple[Table7Entry, ...] = (
    # General response quality (23)
    _e("BeaverTails Helpfulness", "Ji et al. 2023", GENERAL, "pairwise"),
    _e("HH RLHF Helpfulness", "Bai et al. 2022a", GENERAL, "pairwise"),
    _e("Hurdles LFQA", "Krishna et al. 2021", GENERAL, "pairwise"),
    _e("LMSYS Chatbot Arena conversations", "Zheng et al. 2023", GENERAL, "pairwise"),
    _e("MAUVE (human judgments)", "Pillutla et al. 2021", GENERAL, "pairwise"),
    _e("News Summary Evaluation", "Goyal et al. 2022", GENERAL, "pairwise"),
    _e("PRD", "Li et al. 2024", GENERAL, "pairwise"),
    _e("SHP", "Ethayarajh et al. 2022", GENERAL, "pairwise"),
    _e("HelpSteer", "Wang et al. 2023b", GENERAL, "pairwise, pointwise"),
    _e("Summary Comparisons (SummFeedback)", "Stiennon et al. 2020", GENERAL, "pairwise, pointwise"),
    _e("GENIE", "Khashabi et al. 2022", GENERAL, "pairwise, pointwise, generative"),
    _e("Fine-grained RLHF", "Wu et al. 2023b", GENERAL, "pairwise, classification"),
    _e("InstruSum", "Liu et al. 2024", GENERAL, "pairwise, classification"),
    _e("WebGPT", "Nakano et al. 2021", GENERAL, "pairwise, generative"),
    _e("LENS", "Maddela et al. 2023", GENERAL, "pointwise"),
    _e("SummEval", "Fabbri et al. 2021", GENERAL, "pointwise", "bartscore_meta_eval"),
    _e("riSum", "Skopek et al. 2023", GENERAL, "pointwise, classification"),
    _e("FeedbackQA", "Li et al. 2022b", GENERAL, "pointwise, generative"),
    _e("CoLA", "Warstadt et al. 2019", GENERAL, "classification"),
    _e("SEAHORSE", "Clark et al. 2023", GENERAL, "classification"),
    _e("CREPE", "Yu et al. 2023", GENERAL, "classification, generative"),
    _e("Scarecrow", "Dou et al. 2022a", GENERAL, "classification, generative"),
    _e("Validity LFQA", "Xu et al. 2022", GENERAL, "classification, generative"),
    # Factuality / attribution (20)
    _e("MOCHA", "Chen et al. 2020", FACT, "pointwise"),
    _e("Sentence Similarity - CxC", "Parekh et al. 2021", FACT, "pointwise"),
    _e("Sentence Similarity - STS-B", "Cer et al. 2017", FACT, "pointwise"),
    _e("WikiBio Hallucination", "Manakul et al. 2023", FACT, "pointwise"),
    _e("BEGIN", "Dziri et al. 2022b", FACT, "classification", "begin"),
    _e("DialFact", "Gupta et al. 2022", FACT, "classification"),
    _e("FActScore", "Min et al. 2023", FACT, "classification"),
    _e("FRANK", "Pagnoni et al. 2021", FACT, "classification"),
    _e("FaithDial", "Dziri et al. 2022a", FACT, "classification"),
    _e("HaluEval", "Li et al. 2023a", FACT, "classification"),
    _e("MNLI", "Williams et al. 2018", FACT, "classification"),
    _e("MultiPIT", "Dou et al. 2022b", FACT, "classification"),
    _e("PAWS", "Zhang et al. 2019", FACT, "classification"),
    _e("Q²", "Honovich et al. 2021", FACT, "classification", "q_squared"),
    _e("QAGS", "Wang et al. 2020", FACT, "classification", "bartscore_meta_eval", "unieval_meta_eval"),
    _e("QQP", "Iyer et al. 2017", FACT, "classification"),
    _e("VitaminC", "Schuster et al. 2021", FACT, "classification"),
    _e("RAGTruth", "Wu et al. 2023a", FACT, "classification"),
    _e("e-SNLI", "Camburu et al. 2018", FACT, "classification, generative"),
    _e("XSum Hallucination", "Maynez et al. 2020", FACT, "generative"),
    # Mathematical reasoning (1)
    _e("PRM800K", "Lightman et al. 2024", MATH, "pairwise"),
    # Coding (4)
    _e("Code Contests", "Li et al. 2022a", CODE, "pairwise"),
    _e("COFFEE", "Moon et al. 2023", CODE, "pairwise"),
    _e("CommitPack", "Muennighoff et al. 2023", CODE, "pairwise"),
    _e("CommitPack-Bugs", "Muennighoff et al. 2023", CODE, "pairwise"),
    # Safety (4)
    _e("BeaverTails Harmlessness", "Ji et al. 2023", SAFETY, "pairwise"),
    _e("HH RLHF Harmlessness", "Bai et al. 2022a", SAFETY, "pairwise", "hh_rlhf"),
    _e("HH RLHF Red Teaming", "Ganguli et al. 2022", SAFETY, "pointwise"),
    _e("BeaverTails QA-Classification", "Ji et al. 2023", SAFETY, "classification"),
    # Instruction tuning (3)
    _e("LIMA", "Zhou et al. 2023", IF, "generative"),
    _e("PRM800K IF", "Lightman et al. 2024", IF, "generative"),
    _e("TULU-2", "Ivison et al. 2023", IF, "generative"),
)


def entries() -> tuple[Table7Entry, ...]:
    """TABLE7 with the sources and exclusions declared by the Hub catalogs filled in."""
    from dataclasses import replace

    from .sources import _hub_general, _hub_other

    out = []
    for e in TABLE7:
        extra = _hub_general.TABLE7.get(e.dataset, ()) + _hub_other.TABLE7.get(e.dataset, ())
        excluded = _hub_general.EXCLUDED.get(e.dataset) or _hub_other.EXCLUDED.get(e.dataset) or e.excluded
        out.append(replace(e, sources=e.sources + extra, excluded=excluded))
    return tuple(out)


def exclusion_reason(entry: Table7Entry) -> str:
    """Why an excluded entry is left out: its stated reason, or its sources' licenses."""
    from .sources import SOURCES

    if entry.excluded:
        return entry.excluded
    licenses = sorted({s.license for s in (SOURCES.get(n) for n in entry.sources if n in SOURCES) if not s.permissive})
    return f"license not permissive: {'; '.join(licenses)}" if licenses else ""


def status(entry: Table7Entry) -> str:
    """mirrored / needs download / excluded / not yet, derived from the registered sources."""
    from .files import mirror_root
    from .sources import SOURCES

    if entry.excluded:
        return "excluded"
    registered = [SOURCES.get(s) for s in entry.sources if s in SOURCES]
    if not registered:
        return "not yet"
    if any(not s.permissive for s in registered):
        return "excluded"
    mirror = mirror_root()
    local = mirror is not None and any(s.files and (mirror / s.name).is_dir() for s in registered)
    return "mirrored" if local else "needs download"
