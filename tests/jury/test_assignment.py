"""The pure assignment solver (:mod:`residency.jury.assignment`): no database, plain data in and out."""

import random
from collections import Counter

import pytest

from residency.jury.assignment import (
    EAGER, RATHER_NOT, WILLING, Application, Juror, Problem, balanced_bounds, evaluate, normalise_tags, solve,
)
from residency.jury.assignment_explain import Issue, explain
from residency.jury.assignment_random import solve_randomised


def apps(n, k=3, start=1, tags=()):
    return tuple(Application(i, k, normalise_tags(tags)) for i in range(start, start + n))


def jurors(n, start=101, cap=None):
    return tuple(Juror(j, cap) for j in range(start, start + n))


def random_problem(seed, n_apps=60, n_jurors=9, k=3, conflict_rate=0.1, bid_rate=0.3):
    rng = random.Random(seed)
    applications = apps(n_apps, k)
    panel = jurors(n_jurors)
    conflicts = frozenset((j.id, a.id) for a in applications for j in panel if rng.random() < conflict_rate)
    bids = {(j.id, a.id): rng.choice((EAGER, WILLING, RATHER_NOT)) for a in applications for j in panel
            if (j.id, a.id) not in conflicts and rng.random() < bid_rate}
    return Problem(applications, panel, conflicts, bids)


def coverage(pairs):
    return Counter(a for _j, a in pairs)


def loads(pairs):
    return Counter(j for j, _a in pairs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_application_gets_k_reviews_and_loads_differ_by_at_most_one(seed):
    """With enough unconflicted jurors, each application gets exactly k distinct jurors and the
    jurors' loads differ by at most one (60 × 3 reviews over 9 jurors: 20 each)."""
    problem = random_problem(seed)

    solution = solve(problem)

    assert len(set(solution.pairs)) == len(solution.pairs) == 180
    assert set(coverage(solution.pairs).values()) == {3}
    assert solution.unmet == {} and solution.issues == []
    assert max(loads(solution.pairs).values()) - min(loads(solution.pairs).values()) <= 1
    assert solution.load_spread <= 1
    assert solution.loads == dict(loads(solution.pairs))


def test_uneven_totals_give_loads_of_the_floor_and_ceiling():
    """10 applications × 2 reviews over 3 jurors: loads 7, 7, 6 (never 8 and 5)."""
    solution = solve(Problem(apps(10, k=2), jurors(3)))

    assert sorted(solution.loads.values()) == [6, 7, 7]
    assert solution.bounds == {101: (6, 7), 102: (6, 7), 103: (6, 7)}


def test_conflicted_pairs_are_never_assigned():
    """Half of all pairs are in conflict: none of them is ever assigned; each application gets k
    reviews, or as many as it has unconflicted jurors (and that is explained)."""
    problem = random_problem(7, n_apps=40, n_jurors=10, k=2, conflict_rate=0.5)
    available = {a.id: sum((j.id, a.id) not in problem.conflicts for j in problem.jurors) for a in problem.applications}

    solution = solve(problem)

    assert not set(solution.pairs) & problem.conflicts
    assert solution.coverage == {a: min(2, n) for a, n in available.items()}
    short = {a for a, n in available.items() if n < 2}
    assert short and {i.application_id for i in solution.issues if i.code == "too_few_jurors"} == short


def test_a_cap_under_the_balanced_share_is_honoured_and_the_others_share_the_rest():
    """One juror capped at 2 reviews; 12 applications × 2 = 24 reviews: the capped juror gets 2,
    the other three 22 between them (7 or 8 each)."""
    panel = (Juror(101, cap=2), Juror(102), Juror(103), Juror(104))

    solution = solve(Problem(apps(12, k=2), panel))

    assert solution.loads[101] == 2
    assert sorted(solution.loads[j] for j in (102, 103, 104)) == [7, 7, 8]
    assert solution.unmet == {}


def test_caps_are_never_exceeded_even_when_reviews_go_missing():
    """Caps add up to 5 of the 6 reviews needed: nobody exceeds their cap, one review is missing,
    and the shortfall is explained."""
    panel = (Juror(101, cap=2), Juror(102, cap=3))

    solution = solve(Problem(apps(3, k=2), panel))

    assert solution.loads == {101: 2, 102: 3}
    assert solution.unmet_total == 1
    assert Issue("capacity_short", needed=6, capacity=5) in solution.issues


def test_balanced_bounds_respect_caps():
    """Water-filling: capped jurors hold their cap, the others share the rest within one."""
    panel = (Juror(1, cap=1), Juror(2, cap=10), Juror(3), Juror(4))

    bounds, short = balanced_bounds(panel, 20)

    assert bounds == {1: (1, 1), 2: (6, 7), 3: (6, 7), 4: (6, 7)} and short == 0
    assert balanced_bounds((Juror(1, cap=1), Juror(2, cap=2)), 5) == ({1: (1, 1), 2: (2, 2)}, 2)
    assert balanced_bounds((), 4) == ({}, 4)


def test_eager_bids_are_preferred():
    """Each application has one eager juror among four; with k = 1 and balanced loads allowing it,
    every application goes to its eager juror."""
    panel = jurors(4)
    applications = apps(8, k=1)
    bids = {(101 + (a.id % 4), a.id): EAGER for a in applications}

    solution = solve(Problem(applications, panel, bids=bids))

    assert sorted(solution.pairs) == sorted(bids)
    assert solution.bids_honoured == 1.0 and solution.eager_missed == []


def test_rather_not_is_avoided_when_possible():
    """A juror who would rather not review an application does not get it while someone else can."""
    panel = jurors(3)
    applications = apps(3, k=2)
    bids = {(101, 1): RATHER_NOT, (102, 2): RATHER_NOT, (103, 3): RATHER_NOT}

    solution = solve(Problem(applications, panel, bids=bids))

    assert not set(solution.pairs) & set(bids)
    assert solution.rather_not_assigned == []
    assert set(coverage(solution.pairs).values()) == {2}


def test_rather_not_is_assigned_when_k_needs_it_and_reported_as_unmet_preference():
    """When the only way to give an application its k reviews is a juror who would rather not,
    that juror gets it, and the solution reports it."""
    panel = jurors(2)
    bids = {(101, 1): RATHER_NOT}

    solution = solve(Problem(apps(1, k=2), panel, bids=bids))

    assert sorted(solution.pairs) == [(101, 1), (102, 1)]
    assert solution.rather_not_assigned == [(101, 1)]


def test_expertise_decides_when_nobody_bid():
    """Without bids, an application tagged with a discipline goes to the juror whose expertise
    matches it (tags compared without case)."""
    applications = (Application(1, 1, normalise_tags(["Sound"])), Application(2, 1, normalise_tags(["video "])))
    panel = (Juror(101, expertise=normalise_tags(["VIDEO"])), Juror(102, expertise=normalise_tags(["sound"])))

    solution = solve(Problem(applications, panel))

    assert solution.pairs == [(101, 2), (102, 1)]
    assert solution.expertise_matched == 2


def test_an_application_with_too_few_unconflicted_jurors_is_explained():
    """Application 41 has only 2 unconflicted jurors for k = 3: it gets those 2, the issue names
    the application and the numbers, and the other applications still get their 3."""
    applications = apps(5, k=3, start=40)
    panel = jurors(4)
    conflicts = frozenset({(103, 41), (104, 41)})

    solution = solve(Problem(applications, panel, conflicts))

    assert Issue("too_few_jurors", application_id=41, available=2, k=3) in solution.issues
    assert solution.unmet == {41: 1}
    assert sorted(j for j, a in solution.pairs if a == 41) == [101, 102]
    assert all(solution.coverage[a.id] == 3 for a in applications if a.id != 41)


def test_no_jurors_is_explained():
    """Reviews needed and nobody on the panel: every application is short, one issue says why."""
    solution = solve(Problem(apps(2, k=2), ()))

    assert solution.pairs == [] and solution.unmet == {1: 2, 2: 2}
    assert solution.issues[0] == Issue("no_jurors", needed=4)


def test_reviews_missing_because_jurors_are_full_are_explained():
    """Application 1 may only go to juror 101, who is capped at 1 and needed elsewhere as well:
    what is missing is reported as jurors being full, and the caps hold."""
    applications = apps(2, k=1)
    panel = (Juror(101, cap=1), Juror(102, cap=0))
    conflicts = frozenset({(102, 1), (102, 2)})

    solution = solve(Problem(applications, panel, conflicts))

    assert solution.loads == {101: 1, 102: 0}
    assert solution.unmet_total == 1
    assert {i.code for i in solution.issues} & {"jurors_full", "too_few_jurors", "capacity_short"}


def test_kept_pairs_stay_and_count():
    """A partial re-solve keeps the pairs it is given, counts them towards coverage and loads,
    and adds only what is missing."""
    applications = apps(4, k=2)
    panel = jurors(4)
    kept = frozenset({(101, 1), (102, 1), (103, 2)})

    solution = solve(Problem(applications, panel, fixed=kept))

    assert solution.kept == sorted(kept)
    assert not set(solution.pairs) & kept
    assert len(solution.pairs) == 5
    assert set(solution.coverage.values()) == {2}
    assert solution.load_spread == 0


def test_same_problem_same_assignment():
    """The solver is deterministic: the same problem gives the same pairs."""
    assert solve(random_problem(11)).pairs == solve(random_problem(11)).pairs


def test_bad_input_is_refused():
    """Duplicate ids, a negative k, a kept pair in conflict or naming nobody are programming errors."""
    with pytest.raises(ValueError):
        Problem((Application(1, 1), Application(1, 2)), jurors(1))
    with pytest.raises(ValueError):
        Problem((Application(1, -1),), jurors(1))
    with pytest.raises(ValueError):
        Problem(apps(1), jurors(1), conflicts=frozenset({(101, 1)}), fixed=frozenset({(101, 1)}))
    with pytest.raises(ValueError):
        Problem(apps(1), jurors(1), fixed=frozenset({(999, 1)}))
    with pytest.raises(ValueError):
        solve_randomised(random_problem(1), 0)


def test_evaluate_measures_an_assignment_without_solving():
    """An assignment made by hand is measured: loads, coverage, missing reviews, load outside the share."""
    problem = Problem(apps(2, k=2), jurors(2), fixed=frozenset({(101, 1), (101, 2)}))

    measured = evaluate(problem)

    assert measured.loads == {101: 2, 102: 0} and measured.unmet == {1: 1, 2: 1}
    assert Issue("load_outside_share", juror_id=101, load=2, low=2, high=2) not in measured.issues
    assert Issue("load_outside_share", juror_id=102, load=0, low=2, high=2) in measured.issues
    assert explain(problem) == []


# --- The randomised variant ----------------------------------------------------------------------

def test_randomised_assignment_meets_k_balances_loads_and_caps_probabilities():
    """With a highest pair probability of 0.5, every application still gets k reviews, loads stay
    within one, no conflicted pair is drawn, and no pair's probability exceeds 0.5."""
    problem = random_problem(5, n_apps=40, n_jurors=8, k=2, conflict_rate=0.1)

    solution = solve_randomised(problem, 0.5, seed=3)

    assert set(coverage(solution.pairs).values()) == {2}
    assert solution.load_spread <= 1
    assert not set(solution.pairs) & problem.conflicts
    assert 0 < solution.max_pair_probability <= 0.5


def test_randomised_assignment_is_the_same_for_a_seed():
    """The same seed draws the same assignment; another seed may draw another."""
    problem = random_problem(9, n_apps=30, n_jurors=6, k=2)

    first = solve_randomised(problem, 0.4, seed=42).pairs

    assert solve_randomised(problem, 0.4, seed=42).pairs == first
    assert any(solve_randomised(problem, 0.4, seed=s).pairs != first for s in range(1, 6))


def test_an_eager_juror_gets_the_application_no_more_often_than_the_cap():
    """A juror bidding eagerly (a colluder) on application 1 gets it about half of the time with a
    cap of 0.5 (over 200 seeded draws), while without the cap they always get it."""
    applications = apps(6, k=1)
    panel = jurors(3)
    bids = {(101, 1): EAGER}
    problem = Problem(applications, panel, bids=bids)

    drawn = sum((101, 1) in solve_randomised(problem, 0.5, seed=s).pairs for s in range(200))

    assert (101, 1) in solve(problem).pairs
    assert 60 <= drawn <= 140


def test_a_probability_cap_too_low_for_k_is_explained():
    """Three unconflicted jurors, k = 2 and a cap of 0.5: at most 1.5 reviews are possible."""
    problem = Problem(apps(1, k=2), jurors(3))

    solution = solve_randomised(problem, 0.5, seed=1)

    assert Issue("probability_cap", application_id=1, available=3, k=2, max_probability=0.5) in solution.issues
    assert solution.coverage[1] in (1, 2)
