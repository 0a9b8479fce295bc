"""The festivals' demo: two festivals with a programmer each, a catalogue of processed works, one
approved request whose package is ready (and downloads as a valid bag), a recorded screening; run
twice, it changes nothing."""

from residency.accounts.demo import load_demo_accounts
from residency.extensions import db
from residency.festivals.demo import load_demo_festivals
from residency.festivals.models import CatalogueEntry, PackageState, RequestState, RightsRequest, Screening
from residency.media.models import AssetState
from tests.festivals.support import link_for, unpack
from tests.services import require_binary


def test_demo(app, client, tmp_path):
    require_binary("ffmpeg")
    load_demo_accounts()
    db.session.commit()
    lines = load_demo_festivals()
    assert lines and "/festivals/requests/" in lines[0]
    entries = db.session.execute(db.select(CatalogueEntry)).scalars().all()
    assert len(entries) == 2
    assert all(a.state == AssetState.READY for e in entries for a in e.work.current_assets)
    (request,) = db.session.execute(db.select(RightsRequest)).scalars().all()
    assert request.state == RequestState.APPROVED and request.package.state == PackageState.READY
    assert db.session.execute(db.select(Screening)).scalar_one().work_id == request.work_id
    load_demo_festivals()
    assert len(db.session.execute(db.select(CatalogueEntry)).scalars().all()) == 2
    assert len(db.session.execute(db.select(RightsRequest)).scalars().all()) == 1
    assert len(db.session.execute(db.select(Screening)).scalars().all()) == 1
    from residency.accounts.demo import DEMO_PASSWORD

    client.post_form("/login", {"email": "programmer@demo.example.org", "password": DEMO_PASSWORD})
    bag = unpack(client.get(link_for(client, request)).get_data(), tmp_path)
    assert any(path.startswith("data/video/") for path in bag.payload_files())
