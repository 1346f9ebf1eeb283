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
}
