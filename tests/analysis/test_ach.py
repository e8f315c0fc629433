"""ACH numbers checked against values worked out by hand (see the ``small`` fixture's docstring)."""

from __future__ import annotations

import pytest

from kzannotate.analysis import ach, data
from kzannotate.analysis.evidence import repeats_for
from kzannotate.analysis.weights import Weights


def _by_name(result):
    return {t.theory: t for t in result.theories}


def test_scores_and_ranks_by_hand(small):
    res = ach.assess(data.load(small["project"]), Weights())
    t = _by_name(res)
    # inconsistency: T1 = a2 .36 + a3 .2 = .56; T2 = a1 .8; T3 = a3 .2
    assert t["T1 protest"].inconsistency == pytest.approx(0.56)
    assert t["T2 foreign"].inconsistency == pytest.approx(0.8)
    assert t["T3 clans"].inconsistency == pytest.approx(0.2)
    # support: T1 = a1 .8; T2 = a2 .36; T3 = a4 .4
    assert t["T1 protest"].support == pytest.approx(0.8)
    assert t["T2 foreign"].support == pytest.approx(0.36)
    assert t["T3 clans"].support == pytest.approx(0.4)
    assert [(x.theory, x.rank) for x in res.theories] == [("T3 clans", 1), ("T1 protest", 2), ("T2 foreign", 3)]
    assert (t["T1 protest"].raw_inconsistent, t["T1 protest"].raw_consistent, t["T1 protest"].raw_neutral) \
        == (2, 1, 1)
    rows = {r.id: r for r in res.rows}
    assert rows[small["a1"]].weight == pytest.approx(0.8)
    assert rows[small["a4"]].weight == pytest.approx(0.4) and rows[small["a4"]].flagged
    assert not rows[small["a1"]].flagged
    # diagnosticity = weight × (max − min)/2 with C +1, I −1, N/empty 0
    assert rows[small["a1"]].diagnosticity == pytest.approx(0.8)   # +1 / −1 / 0
    assert rows[small["a2"]].diagnosticity == pytest.approx(0.36)
    assert rows[small["a3"]].diagnosticity == pytest.approx(0.1)   # −1 / 0 / −1 → 1/2 × .2
    assert rows[small["a4"]].diagnosticity == pytest.approx(0.2)   # 0 / 0 / +1 → 1/2 × .4
    assert rows[small["a5"]].diagnosticity == 0                    # neutral everywhere: not diagnostic
    assert rows[small["a1"]].cell(small["t2"]) == "I" and rows[small["a5"]].cell(small["t1"]) == "N"
    assert rows[small["a4"]].cell(small["t1"]) == ""


def test_unweighted_ties_share_a_rank(small):
    res = ach.assess(data.load(small["project"]), Weights(), weighted=False)
    t = _by_name(res)
    # unweighted: T1 has 2 I, T2 1 I, T3 1 I; support 1 each → T2 and T3 tie
    assert (t["T2 foreign"].rank, t["T3 clans"].rank, t["T1 protest"].rank) == (1, 1, 3)
    assert all(r.weight == 1 for r in res.rows)


def test_a_weight_change_flips_the_ranking(small):
    d = data.load(small["project"])
    before = ach.assess(d, Weights()).rank_of()
    heavier_e = Weights().with_value("E", 1.0)  # a3 now weighs 1.0: T3 inconsistency 1.0 > T2's 0.8
    after = ach.assess(d, heavier_e).rank_of()
    assert before[small["t3"]] == 1 and before[small["t2"]] == 3
    assert after[small["t2"]] == 1 and after[small["t3"]] == 2 and after[small["t1"]] == 3


def test_sensitivity_names_the_rows_that_move_a_rank(small):
    d = data.load(small["project"])
    scenarios = {s.key: s for s in ach.sensitivity(d, Weights())}
    assert scenarios["exclude_low"].stable  # without a3 (E) and a4 (6): T3 0, T1 .36, T2 .8 — same order
    left = scenarios[f"without:{small['s2']}"]  # a2 and a4 gone: T1 .2/.8, T3 .2/0 → T1 first
    changes = {c.theory_id: c for c in left.changes}
    assert (changes[small["t1"]].before, changes[small["t1"]].after) == (2, 1)
    assert changes[small["t1"]].rows == (small["a2"],)
    assert (changes[small["t3"]].before, changes[small["t3"]].after) == (1, 2)
    assert changes[small["t3"]].rows == (small["a4"],)
    assert scenarios[f"without:{small['s1']}"].result.left_out_source == small["s1"]
    js = ach.sensitivity_json(list(scenarios.values()))
    assert {s["scenario"] for s in js} >= {"unweighted", "exclude_low"}


def test_exclude_low_drops_e5_and_f6_rows(small):
    res = ach.assess(data.load(small["project"]), Weights(), exclude_low=True)
    assert {r.id for r in res.rows} == {small["a1"], small["a2"], small["a5"]}


def test_no_evidence_gives_an_empty_assessment(project):
    res = ach.assess(data.load(project))
    assert res.theories == [] and res.rows == []
    assert res.to_json()["theories"] == [] and ach.sensitivity(data.load(project))[0].stable


PASSAGE = ("The demonstrators in the western oil towns demanded lower fuel prices, the release of detained "
           "workers and the resignation of the regional governor, and they kept the central square occupied "
           "for three days while the police watched from the side streets without intervening at all.")


def test_the_same_passage_in_two_sources_counts_once(project):
    s1 = project.add_source(f"First outlet.\n\n{PASSAGE}\n\nTheir comment follows.", "Original")
    s2 = project.add_source(f"Copied story.\n\n{PASSAGE}\n\nA different ending here.", "Copy", reliability="B")
    t = project.add_theory("Protest").id
    other = project.add_theory("Plot").id
    needle = "demanded lower fuel prices"
    a = project.add_annotation(s1.id, s1.text.index(needle), s1.text.index(needle) + len(needle),
                               theories={t: "supports"}, credibility=2)
    b = project.add_annotation(s2.id, s2.text.index(needle), s2.text.index(needle) + len(needle),
                               theories={t: "supports", other: "contradicts"}, credibility=2)
    d = data.load(project)
    repeats = repeats_for(project, d)
    assert repeats, "the duplicate-passage detector should find the shared paragraph"
    res = ach.assess(d, Weights(), repeats=repeats)
    assert len(res.rows) == 1
    row = res.rows[0]
    assert set(row.annotation_ids) == {a.id, b.id}
    assert row.id == b.id  # the heavier rating (B2 over F2) represents the passage
    assert _by_name(res)["Protest"].raw_consistent == 1
    assert _by_name(res)["Plot"].raw_inconsistent == 1  # stances are merged
    # without the detector the two annotations would be two rows
    assert len(ach.assess(d, Weights(), repeats=[]).rows) == 2
