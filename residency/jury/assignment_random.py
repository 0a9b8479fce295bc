"""The randomised assignment: no juror–application pair above a probability cap.

:func:`solve_randomised` caps the probability that any one juror reviews any one application
(Jecmen, Zhang, Liu, Shah, Conitzer and Fang, "Mitigating manipulation in peer review via
randomized reviewer assignments", NeurIPS 2020): a colluding juror who bids eagerly on a friend's
application gets it with probability at most ``q``. It solves the same flow scaled by the
denominator ``D`` of ``q = p/D`` (pair capacity ``p``, everything else × ``D``), which is the
optimal *fractional* assignment with every pair at most ``q``, then samples an integral assignment
whose marginals are exactly those fractions by dependent rounding on the bipartite graph
(Gandhi, Khuller, Parthasarathy and Srinivasan, J. ACM 2006 — the sampling Jecmen et al. use):
every application keeps exactly its reviews and every juror's load stays within the floor and
ceiling of its fractional load, hence within the balanced bounds.

The network and the solution are the deterministic solver's (:mod:`residency.jury.assignment`).
"""

import math
import random
import time
from fractions import Fraction

from residency.jury.assignment import build_network, make_solution, solve_network
from residency.jury.assignment_explain import explain


def solve_randomised(problem, max_probability, seed=None):
    """An assignment drawn at random so that no juror–application pair has a probability above
    ``max_probability`` (see the module docstring); the same ``seed`` draws the same assignment.

    :param max_probability: in (0, 1]; taken as a fraction with a denominator up to 1,000.
    :return: a :class:`~residency.jury.assignment.Solution` whose ``probabilities`` give each drawn pair's probability.
    """
    if not 0 < max_probability <= 1:
        raise ValueError("max_probability must be in (0, 1]")
    q = Fraction(max_probability).limit_denominator(1000)
    if q > max_probability:  # never above the cap asked for
        q = Fraction(math.floor(max_probability * 1000), 1000)
    scale, cap = q.denominator, q.numerator
    started = time.perf_counter()
    issues = explain(problem, max_probability=float(q))
    network = build_network(problem, scale=scale, pair_capacity=cap)
    flows, cost = solve_network(network)
    fractions = {network.pair_arcs[arc]: flow for arc, flow in enumerate(flows) if flow and arc in network.pair_arcs}
    pairs = dependent_rounding(fractions, scale, random.Random(seed))
    solution = make_solution(problem, network.bounds, pairs, issues, cost, 0.0)
    solution.probabilities = {pair: fractions[pair] / scale for pair in solution.pairs}
    solution.solver_seconds = time.perf_counter() - started
    return solution


def dependent_rounding(weights, scale, rng):
    """Round a fractional bipartite assignment to an integral one with the same marginals.

    :param weights: ``{(juror id, application id): w}`` with ``0 < w <= scale``; the pair's
        probability is ``w / scale``.
    :return: the pairs drawn. Each node's degree ends at the floor or ceiling of its fractional
        degree (Gandhi et al. 2006): repeatedly take a cycle, or a maximal path, of fractional
        edges, and shift weight alternately along it in the one random direction that keeps
        every marginal, until every edge is 0 or ``scale``.
    """
    chosen = [pair for pair, w in weights.items() if w >= scale]
    value = {pair: w for pair, w in weights.items() if 0 < w < scale}
    # Nodes are ("j", juror id) and ("a", application id): the two sides' ids may be equal.
    adjacency = {}
    for juror_id, application_id in value:
        adjacency.setdefault(("j", juror_id), {})[("a", application_id)] = (juror_id, application_id)
        adjacency.setdefault(("a", application_id), {})[("j", juror_id)] = (juror_id, application_id)
    # Insertion-ordered (a dict as an ordered set): the same input walks the same way.
    leaves = dict.fromkeys(node for node, edges in adjacency.items() if len(edges) == 1)

    def drop(pair):
        juror, application = ("j", pair[0]), ("a", pair[1])
        for node, other in ((juror, application), (application, juror)):
            del adjacency[node][other]
            left = len(adjacency[node])
            if left == 1:
                leaves[node] = None
            else:
                leaves.pop(node, None)
            if not left:
                del adjacency[node]
        del value[pair]

    while value:
        start = next(iter(leaves)) if leaves else next(iter(adjacency))
        walk = _cycle_or_path(adjacency, start)
        edges = [adjacency[walk[i]][walk[i + 1]] for i in range(len(walk) - 1)]
        up, down = edges[0::2], edges[1::2]
        alpha = min([scale - value[e] for e in up] + [value[e] for e in down])
        beta = min([value[e] for e in up] + [scale - value[e] for e in down])
        if rng.randrange(alpha + beta) < beta:
            shift = alpha
        else:
            shift = -beta
        for e in up:
            value[e] += shift
        for e in down:
            value[e] -= shift
        for e in edges:
            if value[e] in (0, scale):
                if value[e] == scale:
                    chosen.append(e)
                drop(e)
    return sorted(chosen)


def _cycle_or_path(adjacency, start):
    """Walk the fractional edges from ``start``: the nodes of the first cycle met (first node
    repeated at the end), or of a maximal path when ``start`` is a leaf and the walk ends."""
    walk, position = [start], {start: 0}
    previous, current = None, start
    while True:
        step = next((n for n in adjacency[current] if n != previous), None)
        if step is None:
            return walk
        if step in position:
            return walk[position[step]:] + [step]
        position[step] = len(walk)
        walk.append(step)
        previous, current = current, step
