"""``flask --app wsgi residency verify-jury CALL``: re-verify a call's hash-chained jury record."""

import click

from residency.extensions import db


@click.command("verify-jury")
@click.argument("call")
def verify_jury_command(call):
    """Re-verify the hash chain of CALL's scores and decisions (CALL: the call's id or slug) and
    compare each record with the rows it describes. Exits 1 naming the first broken record."""
    from residency.calls.models import Call
    from residency.jury import ledger

    found = db.session.get(Call, int(call)) if call.isdigit() else None
    found = found or db.session.execute(db.select(Call).where(Call.slug == call)).scalar_one_or_none()
    if found is None:
        raise click.ClickException(f"no call {call!r}")
    result = ledger.verify(found.id)
    if result.ok:
        click.echo(f"call {found.id} ({found.slug}): the jury's record holds ({result.records} records)")
        return
    click.echo(f"call {found.id} ({found.slug}): BROKEN: {result.broken[1]}", err=True)
    raise SystemExit(1)
