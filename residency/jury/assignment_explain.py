"""What keeps an assignment from meeting its rules, in plain data (:class:`Issue`).

:func:`explain` finds what is visible before solving (no juror, too few unconflicted jurors for an
application, caps that cannot hold the reviews, a probability cap too low for ``k``); the solution
adds what only solving shows (:func:`residency.jury.assignment.make_solution`). Pure, like the
solver (:mod:`residency.jury.assignment`), which imports this module.
"""

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Issue:
    """Something that keeps the assignment from meeting its rules, in plain data.

    ``code`` says which; the other fields are the numbers the sentence needs:

    * ``no_jurors`` (``needed``): reviews are needed and the round has no juror;
    * ``too_few_jurors`` (``application_id``, ``available``, ``k``): fewer unconflicted jurors
      than reviews needed;
    * ``capacity_short`` (``needed``, ``capacity``): the jurors' caps add up to fewer reviews
      than needed;
    * ``probability_cap`` (``application_id``, ``available``, ``k``, ``max_probability``): with
      the randomised assignment, ``available`` × ``max_probability`` < ``k``;
    * ``jurors_full`` (``application_id``, ``missing``, ``k``): reviews the solver could not
      place because the unconflicted jurors are at their caps;
    * ``missing_reviews`` (``application_id``, ``missing``, ``k``): an assignment measured by
      :func:`~residency.jury.assignment.evaluate` leaves the application short (not proposed yet,
      or changed by hand);
    * ``load_outside_share`` (``juror_id``, ``load``, ``low``, ``high``): a load outside the
      balanced bounds (caps, conflicts or kept pairs forced it).
    """

    code: str
    application_id: Optional[int] = None
    juror_id: Optional[int] = None
    available: Optional[int] = None
    k: Optional[int] = None
    needed: Optional[int] = None
    capacity: Optional[int] = None
    missing: Optional[int] = None
    load: Optional[int] = None
    low: Optional[int] = None
    high: Optional[int] = None
    max_probability: Optional[float] = None


def explain(problem, max_probability=None):
    """The issues visible before solving: no juror, too few unconflicted jurors for an
    application, caps that cannot hold the reviews, a probability cap too low for ``k``.

    :return: a list of :class:`Issue`.
    """
    issues = []
    needed = reviews_needed(problem)
    total_needed = sum(needed.values())
    if not problem.jurors:
        if total_needed:
            issues.append(Issue("no_jurors", needed=total_needed))
        return issues
    juror_ids = [j.id for j in problem.jurors]
    for application in sorted(problem.applications, key=lambda a: a.id):
        available = sum(1 for j in juror_ids if (j, application.id) not in problem.conflicts)
        if available < application.k:
            issues.append(Issue("too_few_jurors", application_id=application.id, available=available,
                                k=application.k))
        elif max_probability is not None and needed[application.id]:
            fresh = available - sum(1 for j in juror_ids if (j, application.id) in problem.fixed)
            if fresh * max_probability < needed[application.id] - 1e-9:
                issues.append(Issue("probability_cap", application_id=application.id, available=available,
                                    k=application.k, max_probability=max_probability))
    if all(j.cap is not None for j in problem.jurors):
        loads = kept_loads(problem)
        capacity = sum(max(0, j.cap - loads[j.id]) for j in problem.jurors)
        if capacity < total_needed:
            issues.append(Issue("capacity_short", needed=total_needed, capacity=capacity))
    return issues


def reviews_needed(problem):
    covered = {a.id: 0 for a in problem.applications}
    for _juror_id, application_id in problem.fixed:
        covered[application_id] += 1
    return {a.id: max(0, a.k - covered[a.id]) for a in problem.applications}


def kept_loads(problem):
    loads = {j.id: 0 for j in problem.jurors}
    for juror_id, _application_id in problem.fixed:
        loads[juror_id] += 1
    return loads
