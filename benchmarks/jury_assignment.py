"""A round's assignment on PostgreSQL: 2,000 applications, 40 jurors, k = 3, 5 % conflicts, random bids.

A throw-away PostgreSQL database is created next to the one ``BENCH_DATABASE_URL`` names
(default ``postgresql://postgres@127.0.0.1:5432/test``), migrated with ``flask_migrate.upgrade``
inside a throw-away app, and filled through the models: a call whose 2,000 submitted, eligible
applications each answered one or two disciplines in their frozen version, 40 active jurors with
one or two disciplines as expertise, 5 % of all juror–application pairs declared conflicts, and
bids on 10 % of the other pairs (eager, willing or rather not), and a round being set up with k = 3.

Measured in this process, in the app's context, each run starting from no assignment:

* ``assign_s``: from the database to confirmed rows, as the chair's two clicks do it:
  ``assignment_ops.propose`` (refresh of the automatic conflicts, reading the round, its jurors,
  conflicts, bids and the applications' disciplines, solving, writing the preview) and a commit,
  then ``assignment_ops.confirm`` and a commit;
* ``solver_s``: the solver's own share of it (``assignment.solve``: the checks, building the
  min-cost flow, OR-Tools solving it, measuring the result);
* ``load_spread``, ``unmet``, ``bids_honoured``: read back from the confirmed rows (largest minus
  smallest load, reviews missing for k, share of the eager bids whose pair was assigned).

Baselines timed in the same runs, interleaved with them: the same problem solved alone, without
the database (``solver_alone_s``; ``ratio_to_solver`` = ``assign_s`` / ``solver_alone_s``), and
the same network solved by networkx's ``network_simplex`` (``networkx_s``, ``networkx_ratio`` =
``networkx_s`` / ``solver_alone_s``; skipped when networkx is not installed), whose optimal cost
must equal OR-Tools'.

Run: ``.venv/bin/python benchmarks/jury_assignment.py``. Tunables (environment):
``BENCH_DATABASE_URL``, ``BENCH_ROUNDS`` (3). Everything is removed in a ``finally``, also on
SIGTERM / Ctrl-C. The last line printed is one JSON object.
"""

import json
import os
import random
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from _common import BenchError, Postgres, median  # noqa: E402  (benchmarks/ is on sys.path)

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

APPLICATIONS = 2_000
JURORS = 40
K = 3
CONFLICT_RATE = 0.05
BID_RATE = 0.10
BIDS = ("eager",) * 4 + ("willing",) * 4 + ("rather_not",) * 2
DISCIPLINES = ("sound", "video", "games", "ai_art")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
FORM = [
    {"id": "statement", "type": "long_text", "label": {"en": "Artist statement"}, "required": True},
    {"id": "disciplines", "type": "multiple_choice", "label": {"en": "Disciplines"},
     "choices": [{"value": v, "label": {"en": v.replace("_", " ").title()}} for v in DISCIPLINES]},
]


def throwaway_app(data_dir, database_url):
    """The real application on the throw-away database, configured from the environment."""
    saved = dict(os.environ)
    for name in ("REDIS_URL", "S3_BUCKET", "SMTP_HOST", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(name, None)
    os.environ.update(RESIDENCY_DATA_DIR=str(data_dir), DATABASE_URL=database_url, LOG_LEVEL="WARNING",
                      SECRET_KEY="bench-" + secrets.token_urlsafe(24))
    try:
        from config import Config
        from residency import create_app

        return create_app(Config())
    finally:
        os.environ.clear()
        os.environ.update(saved)


def populate():
    """The call, its applications with frozen versions, the panel, conflicts, bids and the round.

    :return: ``(round id, coordinator id)``.
    """
    from sqlalchemy import insert

    from residency.accounts.models import User
    from residency.applications.models import Application, ApplicationVersion
    from residency.calls.models import Call
    from residency.cities.models import City
    from residency.extensions import db
    from residency.jury.models import Conflict, PanelMember, Preference, Round

    rng = random.Random(20260105)
    city = db.session.execute(db.select(City).order_by(City.id).limit(1)).scalar_one()
    coordinator = User(email="coordinator@bench.example", password_hash="!", display_name="Coordinator",
                       email_verified_at=T0)
    call = Call(slug="bench-jury", city_id=city.id, main_language="en", texts={"en": {"title": "Bench residency"}},
                state="closed", published_at=T0 - timedelta(days=40), opens_at=T0 - timedelta(days=30),
                closes_at=T0 - timedelta(days=1), timezone="UTC", form=FORM, rubric=[])
    db.session.add_all([coordinator, call])
    db.session.flush()

    def users(prefix, count):
        return list(db.session.execute(insert(User).returning(User.id, sort_by_parameter_order=True), [
            {"email": f"{prefix}{n}@bench.example", "password_hash": "!", "display_name": f"{prefix.title()} {n}",
             "email_verified_at": T0} for n in range(count)]).scalars())

    artists = users("artist", APPLICATIONS)
    chosen = [rng.sample(DISCIPLINES, rng.choice((1, 2))) for _ in artists]
    application_ids = list(db.session.execute(
        insert(Application).returning(Application.id, sort_by_parameter_order=True), [
            {"call_id": call.id, "owner_id": owner, "state": "submitted", "eligible": True, "current_version": 1,
             "answers": {"statement": "A work.", "disciplines": disciplines}, "eligibility_answers": {"country": "FR"},
             "submitted_at": T0 + timedelta(minutes=n), "residence_country": "FR"}
            for n, (owner, disciplines) in enumerate(zip(artists, chosen))]).scalars())
    db.session.execute(insert(ApplicationVersion), [
        {"application_id": application_id, "number": 1, "submitted_at": T0, "submitted_by_id": owner,
         "fingerprint": f"{application_id:064x}", "snapshot": {
             "format": 1, "owner": {"user_id": owner, "profile": {"name": f"Artist {owner}"}}, "members": [],
             "eligibility": {"country": "FR"},
             "answers": [{"id": "statement", "type": "long_text", "label": "Artist statement", "label_lang": "en",
                          "value": "A work."},
                         {"id": "disciplines", "type": "multiple_choice", "label": "Disciplines", "label_lang": "en",
                          "value": disciplines}]}}
        for application_id, owner, disciplines in zip(application_ids, artists, chosen)])
    juror_users = users("juror", JURORS)
    member_ids = list(db.session.execute(insert(PanelMember).returning(PanelMember.id, sort_by_parameter_order=True), [
        {"call_id": call.id, "user_id": user_id, "email": f"juror{n}@bench.example", "role": "juror",
         "status": "active", "language": "en", "expertise": rng.sample(DISCIPLINES, rng.choice((1, 2))),
         "collaborators": [], "responded_at": T0} for n, user_id in enumerate(juror_users)]).scalars())
    conflicts, bids = [], []
    for application_id in application_ids:
        for member_id in member_ids:
            if rng.random() < CONFLICT_RATE:
                conflicts.append({"call_id": call.id, "member_id": member_id, "application_id": application_id,
                                  "source": "declared", "reason": "declared", "details": "Knows the artist"})
            elif rng.random() < BID_RATE:
                bids.append({"member_id": member_id, "application_id": application_id, "bid": rng.choice(BIDS)})
    db.session.execute(insert(Conflict), conflicts)
    db.session.execute(insert(Preference), bids)
    round_ = Round(call_id=call.id, number=1, name="Shortlist", reviews_per_application=K,
                   scoring_closes_at=datetime.now(timezone.utc) + timedelta(days=30))
    db.session.add(round_)
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    return round_.id, coordinator.id, len(conflicts), Counter(b["bid"] for b in bids)


def reset(round_id):
    """No assignment: the round as it was before the chair's first click (untimed)."""
    from residency.extensions import db
    from residency.jury.models import Assignment, Round

    db.session.execute(db.delete(Assignment).where(Assignment.round_id == round_id))
    db.session.execute(db.update(Round).where(Round.id == round_id).values(assignment_confirmed_at=None))
    db.session.commit()
    db.session.remove()


def assign(round_id, actor_id):
    """The timed path: propose and commit, confirm and commit. Returns ``(seconds, solution)``."""
    from residency.accounts.models import User
    from residency.extensions import db
    from residency.jury import assignment_ops
    from residency.jury.models import Round

    started = time.perf_counter()
    round_ = db.session.get(Round, round_id)
    actor = db.session.get(User, actor_id)
    solution = assignment_ops.propose(round_, actor)
    db.session.commit()
    assignment_ops.confirm(round_, actor, token=assignment_ops.preview_token(round_))
    db.session.commit()
    seconds = time.perf_counter() - started
    db.session.remove()
    return seconds, solution


def read_back(round_id):
    """Loads, missing reviews and eager bids honoured, from the confirmed rows."""
    from residency.extensions import db
    from residency.jury.models import Assignment, Conflict, PanelMember, Preference

    rows = db.session.execute(db.select(Assignment.member_id, Assignment.application_id).where(
        Assignment.round_id == round_id, Assignment.removed_at.is_(None), Assignment.confirmed_at.is_not(None))).all()
    if len(rows) != len(set(rows)):
        raise BenchError("a pair was confirmed twice")
    member_ids = db.session.execute(db.select(PanelMember.id)).scalars().all()
    loads = Counter(m for m, _a in rows)
    coverage = Counter(a for _m, a in rows)
    conflicted = set(db.session.execute(db.select(Conflict.member_id, Conflict.application_id)).tuples())
    if conflicted & set(rows):
        raise BenchError("a conflicted pair was assigned")
    eager = set(db.session.execute(db.select(Preference.member_id, Preference.application_id)
                                   .where(Preference.bid == "eager")).tuples()) - conflicted
    pairs = set(rows)
    db.session.remove()
    counts = [loads.get(m, 0) for m in member_ids]
    return {"load_spread": max(counts) - min(counts), "unmet": sum(max(0, K - coverage.get(a, 0)) for a in
                                                                     _application_ids()),
            "bids_honoured": len(eager & pairs) / len(eager) if eager else 1.0, "pairs": len(rows),
            "min_load": min(counts), "max_load": max(counts)}


def _application_ids():
    from residency.applications.models import Application
    from residency.extensions import db

    return db.session.execute(db.select(Application.id)).scalars().all()


def solver_alone(round_id):
    """The same problem solved without the database (read untimed): ``(seconds, problem, solution)``."""
    from residency.extensions import db
    from residency.jury import assignment, assignment_ops
    from residency.jury.models import Round

    started = time.perf_counter()
    context = assignment_ops.build_problem(db.session.get(Round, round_id))
    read = time.perf_counter() - started
    db.session.remove()
    started = time.perf_counter()
    solution = assignment.solve(context.problem)
    return time.perf_counter() - started, read, context.problem, solution


def networkx_solve(problem):
    """The same network solved by networkx's network simplex: ``(seconds, cost)`` or None."""
    try:
        import networkx as nx
    except ImportError:
        return None
    from residency.jury.assignment import build_network

    started = time.perf_counter()
    network = build_network(problem)
    graph = nx.MultiDiGraph()
    for node, supply in enumerate(network.supplies):
        graph.add_node(node, demand=-supply)
    for tail, head, capacity, cost in zip(network.tails, network.heads, network.capacities, network.costs):
        graph.add_edge(tail, head, capacity=capacity, weight=cost)
    cost, _flow = nx.network_simplex(graph)
    return time.perf_counter() - started, cost


def refresh_seconds(round_id):
    """The automatic conflicts' refresh alone (part of ``propose``), rolled back."""
    from residency.extensions import db
    from residency.jury import conflicts
    from residency.jury.models import Round

    started = time.perf_counter()
    conflicts.refresh_automatic_conflicts(db.session.get(Round, round_id).call)
    seconds = time.perf_counter() - started
    db.session.rollback()
    db.session.remove()
    return seconds


def main():
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-jury-"))
    postgres = Postgres(ADMIN_URL, "bench_jury")
    try:
        try:
            postgres.create()
        except Exception as exc:  # noqa: BLE001 - a readable message, not a driver traceback
            raise BenchError(f"cannot create a database via BENCH_DATABASE_URL ({ADMIN_URL}): {exc}") from exc
        app = throwaway_app(tmp / "data", postgres.url)
        with app.app_context():
            from flask_migrate import upgrade

            from residency.extensions import db

            upgrade()
            t0 = time.monotonic()
            round_id, actor_id, conflict_count, bid_counts = populate()
            populated = time.monotonic() - t0
            runs = []
            for _ in range(max(1, ROUNDS)):
                reset(round_id)
                alone_s, read_s, problem, alone = solver_alone(round_id)
                assign_s, solution = assign(round_id, actor_id)
                figures = read_back(round_id)
                if alone.cost != solution.cost:
                    raise BenchError(f"the solver alone found cost {alone.cost}, the path {solution.cost}")
                nx_result = networkx_solve(problem)
                if nx_result is not None and nx_result[1] != alone.cost:
                    raise BenchError(f"networkx found cost {nx_result[1]}, OR-Tools {alone.cost}")
                runs.append({"assign_s": assign_s, "solver_s": solution.solver_seconds, "alone_s": alone_s,
                             "read_s": read_s, "networkx_s": nx_result[0] if nx_result else None, **figures})
            refresh_s = refresh_seconds(round_id)
            db.engine.dispose()
        report(runs, refresh_s, conflict_count, bid_counts, populated, started)
    finally:
        try:
            postgres.drop()
        except Exception as exc:  # noqa: BLE001 - do not hide the original error
            print(f"could not drop database {postgres.name}: {exc!r}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def report(runs, refresh_s, conflict_count, bid_counts, populated, started):
    def mid(key):
        values = sorted(r[key] for r in runs if r[key] is not None)
        return median(values) if values else None

    last = runs[-1]
    assign_s, solver_s, alone_s, nx_s = mid("assign_s"), mid("solver_s"), mid("alone_s"), mid("networkx_s")
    print()
    print(f"jury_assignment: {APPLICATIONS} applications, {JURORS} jurors, k = {K}, {conflict_count} conflicts "
          f"({CONFLICT_RATE:.0%}), bids {dict(bid_counts)}, PostgreSQL, {len(runs)} run(s), medians")
    header = f"{'measure':<62} {'value':>10}"
    print(header)
    print("-" * len(header))
    rows = [
        ("database to confirmed rows: propose + commit, confirm + commit (s)", f"{assign_s:.3f}"),
        ("  of which the solver: assignment.solve, OR-Tools inside (s)", f"{solver_s:.3f}"),
        ("  of which refreshing the automatic conflicts, timed apart (s)", f"{refresh_s:.3f}"),
        ("  of which reading the problem, timed apart (s)", f"{mid('read_s'):.3f}"),
        ("baseline: the same problem solved alone, no database (s)", f"{alone_s:.3f}"),
        ("  whole path / solver alone", f"{assign_s / alone_s:.2f}"),
        ("baseline: the same network, networkx network_simplex (s)", f"{nx_s:.3f}" if nx_s else "n/a"),
        ("  networkx / OR-Tools (solver alone)", f"{nx_s / alone_s:.1f}" if nx_s else "n/a"),
        ("confirmed pairs", f"{last['pairs']}"),
        ("largest minus smallest load (loads)", f"{last['load_spread']} ({last['min_load']}–{last['max_load']})"),
        ("reviews missing for k", f"{last['unmet']}"),
        ("eager bids honoured", f"{last['bids_honoured']:.3f}"),
    ]
    for label, value in rows:
        print(f"{label:<62} {value:>10}")
    print(f"(data {populated:.1f} s, whole run {time.monotonic() - started:.0f} s)")
    result = {"benchmark": "jury_assignment", "database": "postgresql", "applications": APPLICATIONS,
              "jurors": JURORS, "k": K, "conflicts": conflict_count, "assign_s": round(assign_s, 3),
              "solver_s": round(solver_s, 3), "load_spread": last["load_spread"], "unmet": last["unmet"],
              "bids_honoured": round(last["bids_honoured"], 4), "solver_alone_s": round(alone_s, 3),
              "ratio_to_solver": round(assign_s / alone_s, 2), "refresh_s": round(refresh_s, 3),
              "read_s": round(mid("read_s"), 3), "networkx_s": round(nx_s, 3) if nx_s else None,
              "networkx_ratio": round(nx_s / alone_s, 1) if nx_s else None, "runs": len(runs),
              "assign_s_runs": [round(r["assign_s"], 3) for r in runs], "setup_seconds": round(populated, 1)}
    print(json.dumps(result))


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through main()'s finally: database, folder


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    try:
        main()
    except BenchError as exc:
        print(f"jury_assignment benchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
