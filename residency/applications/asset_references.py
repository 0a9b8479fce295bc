"""What media asks of applications before deleting a replaced version's files (media sits below
applications and cannot import them): is the version a file of a submitted application?"""

from residency.applications import listing
from residency.applications.models import ApplicationFile, ApplicationVersion
from residency.core.ids import parse_id
from residency.extensions import db
from residency.media.models import MediaAsset

SLOT_PREFIX = "application:"


def referenced_asset_ids(asset_ids):
    """``media_asset_references``: those of ``asset_ids`` frozen in a submitted version of an
    application, whichever version and whatever the application's state since (coordinators
    download a submitted file and check it against its SHA-256; the bytes must stay).

    The last submitted version's files are indexed (:class:`ApplicationFile`); earlier versions
    are read from the snapshots of the applications whose upload slots hold the assets (a file
    answer is always an asset of one of its application's slots).
    """
    wanted = {int(asset_id) for asset_id in asset_ids}
    if not wanted:
        return set()
    found = set(db.session.execute(
        db.select(ApplicationFile.asset_id).where(ApplicationFile.asset_id.in_(wanted))
    ).scalars())
    slots = db.session.execute(
        db.select(MediaAsset.slot).where(MediaAsset.id.in_(wanted - found), MediaAsset.slot.startswith(SLOT_PREFIX))
    ).scalars()
    application_ids = {parse_id(slot[len(SLOT_PREFIX):].partition(".")[0]) for slot in slots} - {None}
    if application_ids:
        snapshots = db.session.execute(
            db.select(ApplicationVersion.snapshot).where(ApplicationVersion.application_id.in_(application_ids))
        ).scalars()
        for snapshot in snapshots:
            for _question, record in listing.frozen_files(snapshot):
                if str(record.get("id")).isdigit() and int(record["id"]) in wanted:
                    found.add(int(record["id"]))
    return found
