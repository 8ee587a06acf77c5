"""Keep the store's stories up to date as articles arrive (incremental clustering).

New articles are clustered together with the articles of existing stories
that fall in the same publication-time window; existing stories enter the
agglomeration already merged, so they only ever grow or join, and the work is
bounded by the window, not by the size of the corpus. Each resulting group
keeps the id of the existing story it overlaps most, so story ids are stable.
"""
from __future__ import annotations

from collections import Counter

from .clustering import DEFAULT, Params, cluster_features
from .store import Store


def update_stories(store: Store, params: Params = DEFAULT) -> int:
    """Assign unassigned articles to stories; returns the number of stories created or changed."""
    new = store.unassigned()
    if not new:
        return 0
    days = store.days(new)
    existing = store.assigned_in_window(min(days) - params.window_days, max(days) + params.window_days)
    ids = new + [a for members in existing.values() for a in members]
    index = {a: i for i, a in enumerate(ids)}
    owner = {index[a]: sid for sid, members in existing.items() for a in members}
    groups = cluster_features(store.features(ids), params,
                              initial=[[index[a] for a in members] for members in existing.values()])
    plan: list[tuple[int | None, list[int]]] = []
    taken: set[int] = set()
    for group in groups:
        if all(i in owner for i in group) and len({owner[i] for i in group}) == 1:
            continue  # an existing story that gained nothing
        votes = Counter(owner[i] for i in group if i in owner)
        sid = next((s for s, _ in votes.most_common() if s not in taken), None)
        if sid is not None:
            taken.add(sid)
        plan.append((sid, [ids[i] for i in group]))
    store.save_assignment(plan)
    return len(plan)
