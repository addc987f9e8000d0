"""Writes the fine-tuning starter's generation samples that are built from parts.

Each set is a few hundred rows for one decision answer `task`, split 320 / 40 / 40, in
`templates/_samples/finetune/<set>/{train,validation,test}.jsonl`. The rows are assembled from
small vocabularies written for this project; the test and validation splits use entities (and,
for qa, question phrasings) that the training split never shows, so a gain on them is learned
behaviour, not recall. The claims set (extraction) was written before this script and is kept.

    python scripts/make_finetune_samples.py          # rewrites qa, summarization and content
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "templates" / "_samples" / "finetune"
SPLITS = {"train": 320, "validation": 40, "test": 40}

# ----- qa: short answers read out of an internal service passage -----------------------------

SERVICES = [
    "Harbor", "Lantern", "Quarry", "Beacon", "Meridian", "Tallow", "Pinion", "Cobalt", "Juniper",
    "Saffron", "Halyard", "Ember", "Gantry", "Marlin", "Osprey", "Thistle", "Vesper", "Wicket",
    "Alder", "Bramble", "Cinder", "Dovetail", "Fathom", "Garnet",
]  # fmt: skip
TEAMS = ["Platform", "Payments", "Search", "Identity", "Data", "Mobile", "Billing", "Support"]
REGIONS = ["eu-west", "us-east", "ap-south", "eu-north", "us-west"]
# Each attribute: how the passage states it, and the question phrasings for it (the last
# phrasing is kept for the held-out splits).
QA_FACTS = {
    "owner": (
        "{name} is owned by the {owner} team.",
        ["Which team owns {name}?", "Who owns {name}?", "What team is responsible for {name}?"],
    ),
    "retention": (
        "It keeps logs for {retention} days.",
        [
            "How many days does {name} keep logs?",
            "For how long are {name} logs retained?",
            "What is the log retention of {name} in days?",
        ],
    ),
    "region": (
        "Its primary region is {region}.",
        [
            "What is the primary region of {name}?",
            "Where does {name} run primarily?",
            "In which region is {name} primarily hosted?",
        ],
    ),
    "limit": (
        "Requests larger than {limit} MB are rejected.",
        [
            "What is the request size limit of {name}?",
            "How large can a request to {name} be?",
            "Above what size in MB does {name} reject requests?",
        ],
    ),
}

QA_ANSWERS = {
    "owner": "the {owner} team",
    "retention": "{retention} days",
    "region": "{region}",
    "limit": "{limit} MB",
}


def qa_row(rng: random.Random, name: str, held_out: bool) -> dict:
    values = {
        "name": name,
        "owner": rng.choice(TEAMS),
        "retention": rng.choice([7, 14, 30, 45, 90, 180, 365]),
        "region": rng.choice(REGIONS),
        "limit": rng.choice([1, 2, 5, 10, 25, 50, 100]),
    }
    details = [fact for fact in QA_FACTS if fact != "owner"]
    rng.shuffle(details)
    facts = ["owner", *details]  # the sentence that names the service comes first
    passage = " ".join(QA_FACTS[f][0].format(**values) for f in facts)
    asked = rng.choice(facts)
    phrasings = QA_FACTS[asked][1]
    question = phrasings[-1] if held_out else rng.choice(phrasings[:-1])
    return {
        "prompt": "Answer the question in a few words, using only the passage.\n"
        f"Passage: {passage}\nQuestion: {question.format(**values)}",
        "completion": QA_ANSWERS[asked].format(**values),
    }


# ----- summarization: radiology-style findings into a one-line impression --------------------

# Normal statements by the structure they describe; an abnormal finding replaces its structure's.
NORMAL = {
    "lungs": "The lungs are clear.",
    "heart": "Heart size is normal.",
    "pleura": "No pleural effusion is seen.",
    "air": "There is no pneumothorax.",
    "mediastinum": "The mediastinum is not widened.",
    "bones": "Osseous structures are intact.",
    "abdomen": "The upper abdomen is unremarkable.",
}
ABNORMAL = {
    "lungs": (
        "A {size} mm nodule is seen in the {side} upper lobe.",
        "{size} mm {side} upper lobe nodule",
    ),
    "pleura": ("There is a small {side} pleural effusion.", "small {side} pleural effusion"),
    "air": ("There is a small {side} apical pneumothorax.", "small {side} apical pneumothorax"),
    "bones": (
        "A healing fracture of the {side} {rib} rib is noted.",
        "healing {side} {rib} rib fracture",
    ),
    "heart": ("The heart is enlarged.", "cardiomegaly"),
}
RIBS = ["fifth", "sixth", "seventh", "eighth", "ninth"]


def summary_row(rng: random.Random, held_out: bool) -> dict:
    """Held-out rows measure nodules in sizes the training rows never show."""
    abnormal = rng.sample(sorted(ABNORMAL), rng.choice([0, 1, 1, 2, 2]))
    normal = rng.sample([part for part in NORMAL if part not in abnormal], rng.randint(2, 4))
    values = {
        "size": rng.randint(13, 19) if held_out else rng.randint(4, 12),
        "side": rng.choice(["right", "left"]),
        "rib": rng.choice(RIBS),
    }
    sentences = [ABNORMAL[part][0].format(**values) for part in abnormal]
    sentences += [NORMAL[part] for part in normal]
    rng.shuffle(sentences)
    if abnormal:
        summary = "; ".join(ABNORMAL[part][1].format(**values) for part in abnormal)
        impression = f"{summary[0].upper()}{summary[1:]}. Otherwise no acute abnormality."
    else:
        impression = "No acute abnormality."
    return {
        "prompt": "Summarise these chest X-ray findings as a one-line impression.\n"
        f"Findings: {' '.join(sentences)}",
        "completion": impression,
    }


# ----- content: product descriptions in one outdoor brand's voice ----------------------------

PRODUCTS = {
    "jacket": ["Ridgeline", "Squall", "Tarn", "Cirrus", "Scree", "Ptarmigan", "Lee", "Corrie"],
    "backpack": ["Switchback", "Cairn", "Bothy", "Drover", "Gully", "Kestrel", "Moraine", "Fell"],
    "tent": ["Hollow", "Bivvy", "Sheiling", "Lochan", "Larch", "Dunlin", "Saddle", "Stance"],
    "sleeping bag": ["Ember", "Glow", "Hearth", "Dusk", "Nook", "Burrow", "Haven", "Drift"],
}
MATERIALS = ["recycled nylon", "ripstop polyester", "merino-lined shell", "waxed cotton canvas"]
USES = {
    "jacket": ["wet ridge walks", "winter commutes", "fast alpine days"],
    "backpack": ["long hut-to-hut routes", "daily trail runs", "bike-packing weekends"],
    "tent": ["exposed summit camps", "family campsites", "solo wild camping"],
    "sleeping bag": ["shoulder-season nights", "deep-winter camps", "warm summer bivvies"],
}
CLOSERS = {
    "jacket": "Zip it up and go.",
    "backpack": "Pack it and go.",
    "tent": "Pitch it and go.",
    "sleeping bag": "Unroll it and go.",
}


def content_row(rng: random.Random, category: str, name: str) -> dict:
    material, use = rng.choice(MATERIALS), rng.choice(USES[category])
    weight = rng.choice(range(300, 2600, 50))
    description = (
        f"Meet the {name}, our {category} for {use}. Built from {material}, it weighs just "
        f"{weight} g, so you carry the day, not the gear. {CLOSERS[category]}"
    )
    return {
        "prompt": "Write a product description in the Kestrel Peak voice.\n"
        f"Product: {name} {category}; material: {material}; weight: {weight} g; made for: {use}.",
        "completion": description,
    }


# ----- splitting and writing -----------------------------------------------------------------


def qa_rows(rng: random.Random) -> dict[str, list[dict]]:
    """Services are split between training and the held-out splits, whose questions also use
    a phrasing training never shows."""
    seen, unseen = SERVICES[:16], SERVICES[16:]
    return {
        split: [
            qa_row(rng, rng.choice(seen if split == "train" else unseen), split != "train")
            for _ in range(size)
        ]
        for split, size in SPLITS.items()
    }


def summary_rows(rng: random.Random) -> dict[str, list[dict]]:
    return {
        split: [summary_row(rng, split != "train") for _ in range(size)]
        for split, size in SPLITS.items()
    }


def content_rows(rng: random.Random) -> dict[str, list[dict]]:
    """Each category's last two product names appear only in the held-out splits."""

    def names(split: str) -> list[tuple[str, str]]:
        held_out = split != "train"
        return [(c, n) for c, ns in PRODUCTS.items() for n in (ns[-2:] if held_out else ns[:-2])]

    return {
        split: [content_row(rng, *rng.choice(names(split))) for _ in range(size)]
        for split, size in SPLITS.items()
    }


BUILDERS = {"qa": qa_rows, "summarization": summary_rows, "content": content_rows}


def main() -> None:
    for name, build in BUILDERS.items():
        folder = SAMPLES / name
        folder.mkdir(parents=True, exist_ok=True)
        for split, rows in build(random.Random(f"finetune-{name}")).items():
            text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            (folder / f"{split}.jsonl").write_text(text, encoding="utf-8")
        print(f"wrote {folder}")


if __name__ == "__main__":
    main()
