"""Helpers of the festivals tests: a request approved through the operations and its package
prepared as the worker would, download links, and unpacking a package into a validated bag."""

import io
import re
import zipfile

import bagit

from residency.extensions import db as _db
from residency.festivals import packages, rights


def approved_request(programmer, artist, work, edition, message="Happy to show it."):
    """A request of ``edition``'s festival for ``work``, approved by ``artist``; its package
    prepared (the worker's job, run here)."""
    request = rights.create_request(programmer, edition.festival, edition, work, "screening", "We love it.")
    _db.session.commit()
    rights.decide(artist, request, True, message)
    _db.session.commit()
    packages.prepare(request.package.id)
    _db.session.refresh(request)
    return request


def link_for(client, request):
    """The download link a programmer gets from the request's page (a path)."""
    response = client.post_form(f"/festivals/requests/{request.id}/link")
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    match = re.search(r'href="https?://[^/"]+(/festivals/download/[^"]+)"', response.get_data(as_text=True))
    assert match, "no download link on the page"
    return match.group(1)


def unpack(data, folder):
    """Unzip a package (checking every CRC) and validate the bag inside with the ``bagit`` library;
    returns the bag."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        archive.extractall(folder)
    (bag_dir,) = [p for p in folder.iterdir() if p.is_dir()]
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    return bag
