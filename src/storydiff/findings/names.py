"""Name swaps: one report names a person or place where the other names a different one.

Why a learned score: for numbers and dates the slot is visible (the same
counted noun, the same kind of date field), but a name fills a role, and two
real reports of one story routinely name people and places the other never
mentions (a witness, a hometown, a spokesman). What tells a swapped name from
an added one is a mix of weak signals: the name stands where the other report
has a name of the same kind in a claim saying the same thing, it is mentioned
once, near the top, as a bare surname nobody introduced, while the other
report's name is one of its main actors. A small gradient-boosted tree model
(``names_model.json``) weighs these signals; it was fitted on the dev conflict
cases with topics held out (``benchmarks/train_names.py`` rebuilds it and
prints the held-out figures), and it is evaluated here with numpy alone.

The model only ranks; the threshold stored with it was chosen for at most
about one name conflict in five untouched real pairs of reports.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from ..model import Claim
from .conflicts import DocView, Value, context_overlap, same, slot_score, values

MODEL_PATH = Path(__file__).with_name("names_model.json")

FEATURES = (
    "is_place", "is_person", "is_org", "mentions", "position", "in_title", "one_word", "dangling",
    "other_names", "max_slot", "max_sim", "max_support", "max_context",
    "slot", "sim", "support", "context", "same_type", "other_gives_it", "claim_also_has_it",
    "counterpart_mentions", "counterpart_in_title", "counterpart_position", "entities",
)


def name_candidates(claims_x: list[Claim], claims_y: list[Claim], view_x: DocView, view_y: DocView,
                    sim, support) -> list[tuple[Value, Value, list[float]]]:
    """For every name of report y that report x never gives: (best counterpart in x, the
    name, features). ``sim``/``support`` are x-claims by y-claims matrices."""
    names_x = [(i, v) for i, c in enumerate(claims_x) for v in values(c) if v.kind == "name"]
    if not names_x:
        return []
    entities_y = [e for c in claims_y for e in c.entities]
    longest: dict[str, int] = {}  # entity key -> words in its longest mention in y
    for e in entities_y:
        longest[e.key] = max(longest.get(e.key, 0), len(e.text.split()))
    out = []
    for j, cy in enumerate(claims_y):
        vals_y = values(cy)
        for vy in vals_y:
            if vy.kind != "name" or view_x.gives(vy):
                continue
            rows = []
            for i, vx in names_x:
                if same(vx, vy) is not False:
                    continue
                s = float(sim[i, j])
                rows.append((slot_score(vx, vy, s, view_x, view_y), s, float(support[i, j]),
                             context_overlap(vx, vy), vx))
            if rows:
                out.append(_features(vy, rows, vals_y, len(entities_y), longest, view_x, view_y))
    return out


def _features(vy: Value, rows: list, vals_y: list[Value], n_entities: int, longest: dict[str, int],
              view_x: DocView, view_y: DocView) -> tuple[Value, Value, list[float]]:
    slot, sim, sup, ctx, vx = max(rows, key=lambda r: r[0])
    words = len(vy.text.split())
    dangling = longest.get(vy.item.key, 0) <= words  # no fuller mention introduces it
    etype = vy.item.type if vy.item.type in ("place", "person") else "org"
    feats = [
        float(etype == "place"), float(etype == "person"), float(etype == "org"),
        math.log1p(view_y.mentions(vy)), view_y.position(vy.claim), float(vy.claim.is_title),
        float(words == 1), float(dangling), math.log1p(len(rows)),
        max(r[0] for r in rows), max(r[1] for r in rows), max(r[2] for r in rows), max(r[3] for r in rows),
        slot, sim, sup, ctx, float(vx.item.type == vy.item.type), float(view_y.gives(vx)),
        float(any(same(vx, y) for y in vals_y if y.kind == "name")),
        math.log1p(view_x.mentions(vx)), float(vx.claim.is_title), view_x.position(vx.claim),
        n_entities / 100,
    ]
    return vx, vy, feats


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> dict:
    """The tree model: {"baseline", "threshold", "features", "trees": [[node, ...], ...]}."""
    model = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise RuntimeError(f"{path}: the model was trained on other features; rebuild it")
    return model


def score(features: list[float], model: dict | None = None) -> float:
    """Probability that the name is a swap, from the boosted trees."""
    model = model or load_model()
    raw = model["baseline"]
    for tree in model["trees"]:
        node = tree[0]
        while not node["leaf"]:
            x = features[node["f"]]
            left = node["nan_left"] if math.isnan(x) else x <= node["t"]
            node = tree[node["l"] if left else node["r"]]
        raw += node["v"]
    return 1.0 / (1.0 + math.exp(-raw))
