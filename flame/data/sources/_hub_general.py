"""Hub-hosted FLAMe Table 7 datasets: lazy source references and their Table 7 rows.

SOURCES maps source name -> "module:SOURCE"; TABLE7 maps the paper's dataset name (as in
flame/data/table7.py) to the source names implementing it; EXCLUDED maps a paper dataset
name to the reason it is left out.
"""

SOURCES: dict[str, str] = {
    "helpsteer": "flame.data.sources.helpsteer:SOURCE",
    "shp": "flame.data.sources.shp:SOURCE",
    "hh_rlhf_hub": "flame.data.sources.hh_rlhf_hub:SOURCE",
    "summarize_feedback": "flame.data.sources.summarize_feedback:SOURCE",
    "seahorse": "flame.data.sources.seahorse:SOURCE",
    "beavertails": "flame.data.sources.beavertails:SOURCE",
    "beavertails_preference": "flame.data.sources.beavertails_preference:SOURCE",
    "feedbackqa": "flame.data.sources.feedbackqa:SOURCE",
    "instrusum": "flame.data.sources.instrusum:SOURCE",
    "crepe": "flame.data.sources.crepe:SOURCE",
}
TABLE7: dict[str, tuple[str, ...]] = {
    "HelpSteer": ("helpsteer",),
    "SHP": ("shp",),
    "HH RLHF Helpfulness": ("hh_rlhf_hub",),
    "HH RLHF Harmlessness": ("hh_rlhf_hub",),
    "HH RLHF Red Teaming": ("hh_rlhf_hub",),
    "Summary Comparisons (SummFeedback)": ("summarize_feedback",),
    "SEAHORSE": ("seahorse",),
    "BeaverTails Helpfulness": ("beavertails_preference",),
    "BeaverTails Harmlessness": ("beavertails_preference",),
    "BeaverTails QA-Classification": ("beavertails",),
    "FeedbackQA": ("feedbackqa",),
    "InstruSum": ("instrusum",),
    "CREPE": ("crepe",),
}
_NC = ("not permissive: the Hub card of {} declares CC-BY-NC-4.0; the adapter is kept for "
       "evaluation-only use and --permissive-only leaves it out")
EXCLUDED: dict[str, str] = {
    "BeaverTails Helpfulness": _NC.format("PKU-Alignment/PKU-SafeRLHF"),
    "BeaverTails Harmlessness": _NC.format("PKU-Alignment/PKU-SafeRLHF"),
    "BeaverTails QA-Classification": _NC.format("PKU-Alignment/BeaverTails"),
    "WebGPT": "no license stated: the openai/webgpt_comparisons card and the WebGPT paper give "
              "none (HF discussion #2 asking for one is unanswered)",
    "CoLA": "no license stated: the Hub copy nyu-mll/glue (config cola) declares 'other' and refers to "
            "the original dataset, whose site gives no license",
    "LENS": "public copy only on GitHub (yao-dou/lens, data/ with the SimpEval ratings); checksum not "
            "pinned yet",
    "LMSYS Chatbot Arena conversations": "not permissive: lmsys/chatbot_arena_conversations releases the "
              "model outputs under CC-BY-NC-4.0 (prompts CC-BY-4.0) and is gated behind terms of use",
    "Hurdles LFQA": "public copy only on GitHub, unlicensed: Krishna et al. 2021's human preference pairs are "
                    "redistributed as preference_data/hurldes_pairwise_human_preferences.jsonl in carriex/lfqa_eval "
                    "(Xu et al. 2023), which has no LICENSE file; no Hub copy found; checksum not pinned",
    "MAUVE (human judgments)": "no Hub or GitHub copy: krishnap25/mauve-experiments (human_evaluation.md) links the "
                               "human-evaluation CSV on Google Drive, with no license stated for it; not pinned",
    "News Summary Evaluation": "no public copy found: no Hub dataset or GitHub file holding Goyal et al. 2022's "
                               "annotator preferences turned up in the stored dataset cards or code",
    "PRD": "public copy only on GitHub (bcdnlp/PRD, MIT): the Vicuna80 human preferences are split over 60 JSONL "
           "files in data/vicuna80/ratings-human with the answers in data/vicuna80/generations; no Hub copy; "
           "checksums not pinned",
    "GENIE": "no public copy of the human judgments found: the GENIE leaderboard scores submissions against blind "
             "labels held by AI2 (danielk/genie_labels), and no Hub or GitHub release of the ratings turned up",
    "Fine-grained RLHF": "public copy only on GitHub (allenai/FineGrainedRLHF tasks/qa_feedback/data; the stored "
                         "copy holds dev_feedback.json but not train_feedback.json), no LICENSE file in the "
                         "repository, no Hub copy found; checksums not pinned",
    "riSum": "no public copy found: no Hub dataset or GitHub repository with Skopek et al. 2023's riSum ratings "
             "turned up in the stored dataset cards or code",
    "Scarecrow": "no public copy found: no Hub dataset, and the authors' GitHub repository (yao-dou/scarecrow) is "
                 "not in the stored code index, so no file or license could be confirmed",
    "Validity LFQA": "public copy only on GitHub, unlicensed: utcsnlp/lfqa_discourse data/validity_annotation.jsonl "
                     "(1,591 QA pairs, three validity votes each); the repository states no license; checksum "
                     "not pinned",
}
