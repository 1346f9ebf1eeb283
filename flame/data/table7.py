"""FLAMe's training datasets (Table 7 of the paper, PAPER.md §2.5) and where each stands here.

Each entry names the paper's dataset, its capability and output formats as the paper lists
them, and, for a dataset no adapter covers, why it is left out. Which flame sources implement
a row is declared by the sources themselves (`Source.table7`, with any exclusion in
`Source.excluded`); `entries()` joins the two. A row's status is derived, never typed in:
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
    sources: tuple[str, ...] = ()  # flame source names that implement it (filled in by entries())
    excluded: str = ""  # why it is left out, when it is


def _e(dataset: str, citation: str, capability: Capability, formats: str, excluded: str = "") -> Table7Entry:
    return Table7Entry(dataset, citation, capability, tuple(f.strip() for f in formats.split(",")), (), excluded)


_UNCONFIRMED = ("public copy only on GitHub ({}); kept out until its commit, file paths and schema are "
                "confirmed: {}")


TABLE7: tuple[Table7Entry, ...] = (
    # General response quality (23)
    _e("BeaverTails Helpfulness", "Ji et al. 2023", GENERAL, "pairwise"),
    _e("HH RLHF Helpfulness", "Bai et al. 2022a", GENERAL, "pairwise"),
    _e("Hurdles LFQA", "Krishna et al. 2021", GENERAL, "pairwise",
       excluded="public copy only on GitHub, unlicensed: Krishna et al. 2021's human preference pairs are "
                "redistributed as preference_data/hurldes_pairwise_human_preferences.jsonl in carriex/lfqa_eval "
                "(Xu et al. 2023), which has no LICENSE file; no Hub copy found; checksum not pinned"),
    _e("LMSYS Chatbot Arena conversations", "Zheng et al. 2023", GENERAL, "pairwise",
       excluded="not permissive: lmsys/chatbot_arena_conversations releases the model outputs under "
                "CC-BY-NC-4.0 (prompts CC-BY-4.0) and is gated behind terms of use"),
    _e("MAUVE (human judgments)", "Pillutla et al. 2021", GENERAL, "pairwise",
       excluded="no Hub or GitHub copy: krishnap25/mauve-experiments (human_evaluation.md) links the "
                "human-evaluation CSV on Google Drive, with no license stated for it; not pinned"),
    _e("News Summary Evaluation", "Goyal et al. 2022", GENERAL, "pairwise",
       excluded="no public copy found: no Hub dataset or GitHub file holding Goyal et al. 2022's "
                "annotator preferences turned up in the stored dataset cards or code"),
    _e("PRD", "Li et al. 2024", GENERAL, "pairwise",
       excluded="public copy only on GitHub (bcdnlp/PRD, MIT): the Vicuna80 human preferences are split over 60 "
                "JSONL files in data/vicuna80/ratings-human with the answers in data/vicuna80/generations; no Hub "
                "copy; checksums not pinned"),
    _e("SHP", "Ethayarajh et al. 2022", GENERAL, "pairwise"),
    _e("HelpSteer", "Wang et al. 2023b", GENERAL, "pairwise, pointwise"),
    _e("Summary Comparisons (SummFeedback)", "Stiennon et al. 2020", GENERAL, "pairwise, pointwise"),
    _e("GENIE", "Khashabi et al. 2022", GENERAL, "pairwise, pointwise, generative",
       excluded="no public copy of the human judgments found: the GENIE leaderboard scores submissions against "
                "blind labels held by AI2 (danielk/genie_labels), and no Hub or GitHub release of the ratings "
                "turned up"),
    _e("Fine-grained RLHF", "Wu et al. 2023b", GENERAL, "pairwise, classification",
       excluded="public copy only on GitHub (allenai/FineGrainedRLHF tasks/qa_feedback/data; the stored copy holds "
                "dev_feedback.json but not train_feedback.json), no LICENSE file in the repository, no Hub copy "
                "found; checksums not pinned"),
    _e("InstruSum", "Liu et al. 2024", GENERAL, "pairwise, classification"),
    _e("WebGPT", "Nakano et al. 2021", GENERAL, "pairwise, generative",
       excluded="no license stated: the openai/webgpt_comparisons card and the WebGPT paper give none (HF "
                "discussion #2 asking for one is unanswered)"),
    _e("LENS", "Maddela et al. 2023", GENERAL, "pointwise",
       excluded="public copy only on GitHub (yao-dou/lens, data/ with the SimpEval ratings); checksum not "
                "pinned yet"),
    _e("SummEval", "Fabbri et al. 2021", GENERAL, "pointwise"),
    _e("riSum", "Skopek et al. 2023", GENERAL, "pointwise, classification",
       excluded="no public copy found: no Hub dataset or GitHub repository with Skopek et al. 2023's riSum "
                "ratings turned up in the stored dataset cards or code"),
    _e("FeedbackQA", "Li et al. 2022b", GENERAL, "pointwise, generative"),
    _e("CoLA", "Warstadt et al. 2019", GENERAL, "classification",
       excluded="no license stated: the Hub copy nyu-mll/glue (config cola) declares 'other' and refers to the "
                "original dataset, whose site gives no license"),
    _e("SEAHORSE", "Clark et al. 2023", GENERAL, "classification"),
    _e("CREPE", "Yu et al. 2023", GENERAL, "classification, generative"),
    _e("Scarecrow", "Dou et al. 2022a", GENERAL, "classification, generative",
       excluded="no public copy found: no Hub dataset, and the authors' GitHub repository (yao-dou/scarecrow) is "
                "not in the stored code index, so no file or license could be confirmed"),
    _e("Validity LFQA", "Xu et al. 2022", GENERAL, "classification, generative",
       excluded="public copy only on GitHub, unlicensed: utcsnlp/lfqa_discourse data/validity_annotation.jsonl "
                "(1,591 QA pairs, three validity votes each); the repository states no license; checksum not "
                "pinned"),
    # Factuality / attribution (20)
    _e("MOCHA", "Chen et al. 2020", FACT, "pointwise"),
    _e("Sentence Similarity - CxC", "Parekh et al. 2021", FACT, "pointwise",
       excluded=_UNCONFIRMED.format(
           "google-research-datasets/Crisscrossed-Captions", "its ratings refer to MS-COCO caption ids and the "
           "sentences must be joined from MS-COCO captions, an origin not checked here")),
    _e("Sentence Similarity - STS-B", "Cer et al. 2017", FACT, "pointwise"),
    _e("WikiBio Hallucination", "Manakul et al. 2023", FACT, "pointwise"),
    _e("BEGIN", "Dziri et al. 2022b", FACT, "classification"),
    _e("DialFact", "Gupta et al. 2022", FACT, "classification",
       excluded=_UNCONFIRMED.format(
           "salesforce/DialFact", "the stored copy has the code and a small sample (scripts/testsmall.jsonl) but "
           "not the released train/validation/test files")),
    _e("FActScore", "Min et al. 2023", FACT, "classification",
       excluded="data released on Google Drive (shmsw25/FActScore README), not at a commit-pinned URL; no Hugging "
                "Face copy found"),
    _e("FRANK", "Pagnoni et al. 2021", FACT, "classification",
       excluded=_UNCONFIRMED.format(
           "artidoro/frank", "data/human_annotations.json (commit 24d218ba) holds the labels but only article "
           "hashes and model names; the article and summary texts are in another data file that the stored copy "
           "does not hold, so that file's commit and fields could not be checked")),
    _e("FaithDial", "Dziri et al. 2022a", FACT, "classification"),
    _e("HaluEval", "Li et al. 2023a", FACT, "classification"),
    _e("MNLI", "Williams et al. 2018", FACT, "classification"),
    _e("MultiPIT", "Dou et al. 2022b", FACT, "classification",
       excluded=_UNCONFIRMED.format("Jeniya/MultiPIT", "the repository is not in the stored index at all")),
    _e("PAWS", "Zhang et al. 2019", FACT, "classification"),
    _e("Q²", "Honovich et al. 2021", FACT, "classification"),
    _e("QAGS", "Wang et al. 2020", FACT, "classification"),
    _e("QQP", "Iyer et al. 2017", FACT, "classification"),
    _e("VitaminC", "Schuster et al. 2021", FACT, "classification"),
    _e("RAGTruth", "Wu et al. 2023a", FACT, "classification",
       excluded=_UNCONFIRMED.format(
           "ParticleMedia/RAGTruth", "the stored copy of the repository holds its README, LICENSE and baseline "
           "code but not the annotated data files, so their paths and fields at a commit could not be checked")),
    _e("e-SNLI", "Camburu et al. 2018", FACT, "classification, generative"),
    _e("XSum Hallucination", "Maynez et al. 2020", FACT, "generative",
       excluded="the annotations (google-research-datasets/xsum_hallucination_annotations, CC-BY-4.0; Hub copy "
                "xsum_factuality is only a loading script) carry BBC article ids, not the articles; the documents "
                "must be joined from XSum, whose Hub card and TFDS catalog entry state no known license for the BBC "
                "articles"),
    # Mathematical reasoning (1)
    _e("PRM800K", "Lightman et al. 2024", MATH, "pairwise"),
    # Coding (4)
    _e("Code Contests", "Li et al. 2022a", CODE, "pairwise"),
    _e("COFFEE", "Moon et al. 2023", CODE, "pairwise",
       excluded="no license stated: the DLI-Lab/COFFEE-Dataset card declares none (an MIT card for the "
                "Coffee-Gym/COFFEE-Dataset copy exists only as an unmerged pull request, #2); its problem "
                "statements come from the Baekjoon Online Judge"),
    _e("CommitPack", "Muennighoff et al. 2023", CODE, "pairwise"),
    _e("CommitPack-Bugs", "Muennighoff et al. 2023", CODE, "pairwise"),
    # Safety (4)
    _e("BeaverTails Harmlessness", "Ji et al. 2023", SAFETY, "pairwise"),
    _e("HH RLHF Harmlessness", "Bai et al. 2022a", SAFETY, "pairwise"),
    _e("HH RLHF Red Teaming", "Ganguli et al. 2022", SAFETY, "pointwise"),
    _e("BeaverTails QA-Classification", "Ji et al. 2023", SAFETY, "classification"),
    # Instruction tuning (3)
    _e("LIMA", "Zhou et al. 2023", IF, "generative",
       excluded="license CC BY-NC-SA (GAIR/lima dataset card), not permissive"),
    _e("PRM800K IF", "Lightman et al. 2024", IF, "generative"),
    _e("TULU-2", "Ivison et al. 2023", IF, "generative"),
)


def entries() -> tuple[Table7Entry, ...]:
    """TABLE7 with each row's implementing sources (in name order) and their exclusion filled in
    from the registered sources' own declarations; a source naming no row of TABLE7 is an error."""
    from dataclasses import replace

    from .sources import SOURCES

    rows = {e.dataset: e for e in TABLE7}
    sources: dict[str, list[str]] = {name: [] for name in rows}
    reasons: dict[str, str] = {}
    for name, source in SOURCES.items():
        for row in source.table7:
            if row not in rows:
                raise ValueError(f"source {name!r} declares Table 7 row {row!r}, which TABLE7 does not list")
            sources[row].append(name)
            if source.excluded:
                reasons.setdefault(row, source.excluded)
    return tuple(replace(e, sources=tuple(sources[e.dataset]), excluded=e.excluded or reasons.get(e.dataset, ""))
                 for e in TABLE7)


def exclusion_reason(entry: Table7Entry) -> str:
    """Why an excluded entry is left out: its stated reason, or its sources' licenses."""
    from .sources import SOURCES

    if entry.excluded:
        return entry.excluded
    licenses = sorted({s.license for s in (SOURCES.get(n) for n in entry.sources if n in SOURCES) if not s.permissive})
    return f"license not permissive: {'; '.join(licenses)}" if licenses else ""


def status(entry: Table7Entry) -> str:
    """mirrored / needs download / excluded / not yet, derived from the registered sources."""
    from flame.core.files import mirror_root

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
