"""Who reviews what: a balanced assignment of a round's applications to its jurors.

A pure solver: plain data in (:class:`Problem`), plain data out (:class:`Solution`); no database,
no Flask. :mod:`residency.jury.assignment_ops` builds the problem from a round and writes the
result back. :mod:`residency.jury.assignment_explain` says what keeps a problem from meeting the
rules (:class:`~residency.jury.assignment_explain.Issue`), :mod:`residency.jury.assignment_random`
holds the randomised variant.

The formulation: a min-cost flow
--------------------------------

Every application must get ``k`` reviews, no juror may review an application they are in
conflict with, juror loads must differ by at most one (unless a juror's cap says otherwise), and,
where all of that leaves a choice, jurors' bids and expertise decide. This is the bipartite
*b*-matching that OpenReview's matcher (openreview-expertise / openreview-matcher, its
``MinMax`` and ``FairFlow`` solvers) and HotCRP's autoassigner (``MinCostMaxFlow``) both solve as
a **minimum-cost flow**, and so do we:

* each application is a source of ``need`` units (its ``k`` minus the reviews it keeps);
* an arc application → juror, capacity 1, for every pair that is not in conflict and not kept,
  costing what the pair leaves unsatisfied (:func:`pair_cost`: the bid, then expertise);
* each juror drains into the sink through three parallel arcs, a convex piecewise cost that
  balances the loads: up to the lower bound ⌊N·k/J⌋ at cost 0, up to the upper bound ⌈N·k/J⌉ at a
  cost ``P``, and beyond it (up to the juror's cap) at a much larger cost ``P2``. The bounds
  respect caps: a juror whose cap is under the share is held to their cap and the others share
  the rest (:func:`balanced_bounds`);
* each application may also drain straight into the sink at a prohibitive cost ``U``: a unit that
  takes this arc is a missing review. The flow is therefore always feasible, and what it could
  not cover is reported (:attr:`Solution.unmet`) instead of a bare "infeasible".

The costs are lexicographic: ``U`` ≫ ``P2`` ≫ ``P`` ≫ any difference of pair costs (each is larger
than what the cheaper tier could change along one augmenting cycle, which visits each juror at
most once). So the optimum covers as many reviews as possible, then keeps loads inside the
balanced bounds, then fills every juror's lower bound, and only then honours the most bids and
expertise. Flows on networks with integral capacities have integral optima, so the result is an
assignment, not a fractional plan; a min-cost flow solver is also far faster than an integer
programme of the same size (2,000 applications × 40 jurors solves in a fraction of a second).

Solved with Google OR-Tools' ``SimpleMinCostFlow`` (a cost-scaling push-relabel solver in C++);
the network itself (:func:`build_network`) is plain lists, so another solver (networkx's
``network_simplex``) can be given the same formulation, as the benchmark does.

What the page turns into words comes from
:func:`~residency.jury.assignment_explain.explain` (before solving: "application 41 has
only 2 unconflicted jurors for k = 3", too little capacity, no juror at all) and from the solution
(missing reviews the first checks did not foresee, loads outside the balanced share).
"""

import time
from dataclasses import dataclass, field
from typing import Optional

from residency.jury.assignment_explain import Issue, explain, kept_loads, reviews_needed

EAGER = "eager"
WILLING = "willing"
RATHER_NOT = "rather_not"

#: What a pair costs for the juror's bid on the application (no bid: ``None``).
BID_COST = {EAGER: 0, WILLING: 3, None: 5, RATHER_NOT: 100}
#: Added when the application has tags and none of them is among the juror's expertise.
NO_EXPERTISE = 2
MAX_PAIR_COST = max(BID_COST.values()) + NO_EXPERTISE


@dataclass(frozen=True)
class Application:
    """An application to review: its id, the reviews it needs (``k``) and its tags (disciplines)."""

    id: int
    k: int
    tags: frozenset = frozenset()


@dataclass(frozen=True)
class Juror:
    """A juror: id, the most applications they review (``cap``; None: no cap), expertise tags."""

    id: int
    cap: Optional[int] = None
    expertise: frozenset = frozenset()


@dataclass(frozen=True)
class Problem:
    """What to assign.

    :param conflicts: ``(juror id, application id)`` pairs that must never be assigned.
    :param bids: ``{(juror id, application id): "eager" | "willing" | "rather_not"}``.
    :param fixed: pairs kept as they are (a partial re-solve: a juror who dropped out, a late
        conflict, reviews already confirmed); they count towards coverage and loads.
    """

    applications: tuple
    jurors: tuple
    conflicts: frozenset = frozenset()
    bids: dict = field(default_factory=dict)
    fixed: frozenset = frozenset()

    def __post_init__(self):
        app_ids = [a.id for a in self.applications]
        juror_ids = [j.id for j in self.jurors]
        if len(set(app_ids)) != len(app_ids) or len(set(juror_ids)) != len(juror_ids):
            raise ValueError("application and juror ids must be unique")
        if any(a.k < 0 for a in self.applications) or any(j.cap is not None and j.cap < 0 for j in self.jurors):
            raise ValueError("k and caps cannot be negative")
        known_apps, known_jurors = set(app_ids), set(juror_ids)
        for juror_id, application_id in self.fixed:
            if juror_id not in known_jurors or application_id not in known_apps:
                raise ValueError(f"kept pair {(juror_id, application_id)} names an unknown juror or application")
            if (juror_id, application_id) in self.conflicts:
                raise ValueError(f"kept pair {(juror_id, application_id)} is in conflict")


@dataclass
class Solution:
    """An assignment and what it achieves.

    :param pairs: the new ``(juror id, application id)`` pairs, sorted (kept pairs not included).
    :param kept: the kept pairs, sorted.
    :param loads: reviews per juror, kept ones included.
    :param bounds: the balanced ``(low, high)`` load of each juror.
    :param coverage: reviews per application, kept ones included.
    :param unmet: ``{application id: reviews missing}`` for the applications short of ``k``.
    :param eager_missed: eager pairs left out; ``rather_not_assigned``: pairs assigned against a
        "rather not" bid.
    :param probabilities: with the randomised variant
        (:func:`~residency.jury.assignment_random.solve_randomised`), each new pair's probability.
    :param solver_seconds: the time :func:`solve` took, from the problem to this solution.
    """

    pairs: list
    kept: list
    loads: dict
    bounds: dict
    coverage: dict
    unmet: dict
    issues: list
    eager_total: int
    eager_honoured: int
    eager_missed: list
    rather_not_assigned: list
    expertise_matched: int
    cost: int
    solver_seconds: float
    probabilities: Optional[dict] = None

    @property
    def load_spread(self):
        """The largest minus the smallest load (0 without jurors)."""
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0

    @property
    def unmet_total(self):
        return sum(self.unmet.values())

    @property
    def bids_honoured(self):
        """Share of eager bids that got their pair (1.0 when nobody bid eagerly)."""
        return self.eager_honoured / self.eager_total if self.eager_total else 1.0

    @property
    def max_pair_probability(self):
        return max(self.probabilities.values(), default=0.0) if self.probabilities is not None else None


def normalise_tags(values):
    """Tags compared without case or surrounding spaces."""
    return frozenset(str(v).strip().casefold() for v in values or () if str(v).strip())


def pair_cost(juror, application, bid):
    """What assigning ``application`` to ``juror`` leaves unsatisfied: the bid's cost, plus
    :data:`NO_EXPERTISE` when the application has tags and none matches the juror's expertise."""
    cost = BID_COST.get(bid, BID_COST[None])
    if application.tags and not (application.tags & juror.expertise):
        cost += NO_EXPERTISE
    return cost


def balanced_bounds(jurors, total):
    """The balanced ``(low, high)`` load of each juror for ``total`` reviews, respecting caps.

    Water-filling: the share of the jurors left is ⌊rest/n⌋..⌈rest/n⌉; a juror whose cap is under
    the ceiling is held to their cap (both bounds) and leaves the rest to the others, until
    nobody's cap binds. Also returns the reviews the caps cannot hold (0 normally).

    :return: ``({juror id: (low, high)}, shortfall)``.
    """
    bounds = {}
    rest = sorted(jurors, key=lambda j: (j.cap is None, j.cap or 0, j.id))
    remaining = total
    while rest:
        n = len(rest)
        low, high = remaining // n, -(-remaining // n)
        capped = [j for j in rest if j.cap is not None and j.cap < high]
        if not capped:
            bounds.update({j.id: (low, high) for j in rest})
            return bounds, 0
        for juror in capped:
            bounds[juror.id] = (juror.cap, juror.cap)
            remaining -= juror.cap
        rest = [j for j in rest if j not in capped]
    return bounds, max(0, remaining)


@dataclass
class Network:
    """A min-cost flow network as plain lists (node ``i`` has supply ``supplies[i]``; arc ``n``
    goes ``tails[n]`` → ``heads[n]``), and what its arcs mean."""

    supplies: list
    tails: list = field(default_factory=list)
    heads: list = field(default_factory=list)
    capacities: list = field(default_factory=list)
    costs: list = field(default_factory=list)
    #: arc index → (juror id, application id), for the pair arcs.
    pair_arcs: dict = field(default_factory=dict)
    #: arc index → application id, for the arcs that stand for missing reviews.
    missing_arcs: dict = field(default_factory=dict)
    bounds: dict = field(default_factory=dict)

    def add(self, tail, head, capacity, cost):
        if capacity <= 0:
            return None
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.costs.append(cost)
        return len(self.tails) - 1


def build_network(problem, scale=1, pair_capacity=1):
    """The min-cost flow of the module docstring.

    Nodes: applications ``0..N-1`` (supply: reviews still needed × ``scale``), jurors
    ``N..N+J-1``, the sink ``N+J``. ``scale`` and ``pair_capacity`` give the fractional problem
    of the randomised variant (``pair_capacity / scale`` is the probability cap).
    """
    applications = sorted(problem.applications, key=lambda a: a.id)
    jurors = sorted(problem.jurors, key=lambda j: j.id)
    n_apps, n_jurors = len(applications), len(jurors)
    sink = n_apps + n_jurors
    needed = reviews_needed(problem)
    fixed_loads = kept_loads(problem)
    total = sum(fixed_loads.values()) + sum(needed.values())
    bounds, _short = balanced_bounds(jurors, total)

    reach = 2 * (n_jurors + 1)  # pair arcs on one augmenting cycle, at most
    balance_cost = MAX_PAIR_COST * reach + 1
    overload_cost = (balance_cost + MAX_PAIR_COST) * reach + 1
    missing_cost = (overload_cost + balance_cost + MAX_PAIR_COST) * reach + 1

    supplies = [needed[a.id] * scale for a in applications] + [0] * n_jurors + [-sum(needed.values()) * scale]
    network = Network(supplies=supplies, bounds=bounds)
    for a_index, application in enumerate(applications):
        if not needed[application.id]:
            continue
        for j_index, juror in enumerate(jurors):
            pair = (juror.id, application.id)
            if pair in problem.conflicts or pair in problem.fixed:
                continue
            arc = network.add(a_index, n_apps + j_index, pair_capacity, pair_cost(juror, application, problem.bids.get(pair)))
            network.pair_arcs[arc] = pair
        arc = network.add(a_index, sink, needed[application.id] * scale, missing_cost)
        network.missing_arcs[arc] = application.id
    for j_index, juror in enumerate(jurors):
        low, high = bounds[juror.id]
        kept = fixed_loads[juror.id]
        most = juror.cap if juror.cap is not None else total
        node = n_apps + j_index
        network.add(node, sink, max(0, low - kept) * scale, 0)
        network.add(node, sink, max(0, high - max(low, kept)) * scale, balance_cost)
        network.add(node, sink, max(0, most - max(high, kept)) * scale, overload_cost)
    return network


def solve_network(network):
    """Solve ``network`` with OR-Tools' ``SimpleMinCostFlow``.

    :return: ``(flow of each arc, total cost)``.
    :raise RuntimeError: the solver found no optimum (cannot happen for :func:`build_network`'s
        networks, which always have a feasible flow).
    """
    from ortools.graph.python import min_cost_flow

    solver = min_cost_flow.SimpleMinCostFlow()
    if network.tails:
        arcs = solver.add_arcs_with_capacity_and_unit_cost(network.tails, network.heads, network.capacities,
                                                           network.costs)
    solver.set_nodes_supplies(list(range(len(network.supplies))), network.supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow not solved: status {status}")
    flows = solver.flows(arcs).tolist() if network.tails else []
    return flows, solver.optimal_cost()


def solve(problem):
    """The optimal assignment of ``problem`` (deterministic: the same problem gives the same pairs).

    :return: a :class:`Solution`.
    """
    started = time.perf_counter()
    issues = explain(problem)
    network = build_network(problem)
    flows, cost = solve_network(network)
    pairs = [network.pair_arcs[arc] for arc, flow in enumerate(flows) if flow and arc in network.pair_arcs]
    solution = make_solution(problem, network.bounds, pairs, issues, cost, 0.0)
    solution.solver_seconds = time.perf_counter() - started
    return solution


def evaluate(problem):
    """Measure an assignment without solving: ``problem.fixed`` is the assignment (every pair
    kept), returned with its loads, coverage, unmet reviews and preferences, and its issues."""
    covered = {a.id: 0 for a in problem.applications}
    for _juror_id, application_id in problem.fixed:
        covered[application_id] += 1
    total = sum(max(a.k, covered[a.id]) for a in problem.applications)  # as build_network counts it
    bounds, _short = balanced_bounds(problem.jurors, total)
    return make_solution(problem, bounds, [], explain(problem), 0, 0.0, missing_code="missing_reviews")


def make_solution(problem, bounds, pairs, issues, cost, seconds, missing_code="jurors_full"):
    """The :class:`Solution` of ``problem`` when its kept pairs plus ``pairs`` are assigned: loads,
    coverage, unmet reviews (an :class:`~residency.jury.assignment_explain.Issue` ``missing_code``
    each, unless ``issues`` explains them already), loads outside ``bounds``, preferences."""
    pairs = sorted(pairs)
    kept = sorted(problem.fixed)
    loads = {j.id: 0 for j in problem.jurors}
    coverage = {a.id: 0 for a in problem.applications}
    for juror_id, application_id in kept + pairs:
        loads[juror_id] += 1
        coverage[application_id] += 1
    unmet = {a.id: a.k - coverage[a.id] for a in sorted(problem.applications, key=lambda a: a.id)
             if coverage[a.id] < a.k}
    explained = {i.application_id for i in issues if i.application_id is not None}
    issues = list(issues)
    ks = {a.id: a.k for a in problem.applications}
    issues += [Issue(missing_code, application_id=a, missing=m, k=ks[a]) for a, m in unmet.items() if a not in explained]
    for juror_id in sorted(loads):
        low, high = bounds[juror_id]
        if not low <= loads[juror_id] <= high:
            issues.append(Issue("load_outside_share", juror_id=juror_id, load=loads[juror_id], low=low, high=high))

    assigned = set(pairs) | set(kept)
    eager = [pair for pair, bid in problem.bids.items() if bid == EAGER and pair not in problem.conflicts
             and pair[1] in coverage and pair[0] in loads]
    apps = {a.id: a for a in problem.applications}
    jurors = {j.id: j for j in problem.jurors}
    return Solution(
        pairs=pairs, kept=kept, loads=loads, bounds=bounds, coverage=coverage, unmet=unmet, issues=issues,
        eager_total=len(eager), eager_honoured=sum(1 for pair in eager if pair in assigned),
        eager_missed=sorted(pair for pair in eager if pair not in assigned),
        rather_not_assigned=sorted(pair for pair in assigned if problem.bids.get(pair) == RATHER_NOT),
        expertise_matched=sum(1 for j, a in assigned if apps[a].tags & jurors[j].expertise),
        cost=cost, solver_seconds=seconds,
    )
