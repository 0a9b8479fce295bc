"""Resumable uploads in a real browser (static/js/uploader.js: Uppy's S3 multipart mode against
the app's own endpoints on the embedded default): a dropped connection, a page reload, the
bytes stored, what is announced, and axe on the uploader while it works."""

import hashlib
import re
import shutil
import subprocess
import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.helpers import axe_violations, link_path, log_in, outbox_message, register, unique_address
from tests.live.stack import wait_until
from tests.services import service_missing

MiB = 1024 * 1024
PART_SIZE = 8 * MiB  # the uploader's part size for files under 78 GiB
NAME = "noise.mp4"
SAVED_UPLOAD = """() => Object.keys(localStorage).some(
    key => key.startsWith('uppyState:') && localStorage.getItem(key).includes('"uploadId"'))"""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(MiB), b""):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """A real H.264 clip (the pipeline checks the type by content) of more than one part."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        service_missing("ffmpeg is not installed")
    path = tmp_path_factory.mktemp("media") / NAME
    subprocess.run(
        # Small and short (the worker transcodes it meanwhile), with noise so that it weighs 12-14 MB.
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-vf", "noise=alls=40:allf=t+u",
         "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "20M", "-pix_fmt", "yuv420p", "-y", str(path)],
        check=True, timeout=60,
    )
    size = path.stat().st_size
    assert PART_SIZE + MiB < size <= 2 * PART_SIZE, f"the clip should make exactly two parts, it is {size} bytes"
    return path


@pytest.fixture(scope="module")
def artist(browser, stack):
    """An artist who registered and confirmed the address through the app (the e-mail in the outbox)."""
    address = unique_address("uploader")
    context = browser.new_context(base_url=stack.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        register(page, address, name="Uma Uploader")
        expect(page).to_have_url(re.compile(r"/account$"))
        page.goto(link_path(outbox_message(stack, address), "/verify/"))
        page.get_by_role("button", name="Confirm my address").click()
        expect(page.get_by_text("Thank you: your e-mail address is confirmed.")).to_be_visible()
    finally:
        context.close()
    return address


def _new_work(page, address, title):
    log_in(page, address)
    expect(page.get_by_text("Welcome back, Uma Uploader.")).to_be_visible()
    page.goto("/works/new")
    main = page.get_by_role("main")
    main.get_by_label("Title", exact=True).fill(title)
    main.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return int(re.search(r"/works/(\d+)", page.url).group(1))


def _choose(page, path):
    with page.expect_file_chooser() as chooser:
        page.locator("#uploader").get_by_role("button", name="Choose files to upload").click()
    chooser.value.set_files(str(path))


def _watch_for_script_errors(page):
    """Uncaught exceptions and CSP violations in the page, collected for an assertion at the end."""
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    return problems


def _is_part_put(request):
    return request.method == "PUT" and "/media/parts/" in request.url


def _part_number(url):
    """The part number inside the signed part URL (read, not verified)."""
    token = url.split("/media/parts/", 1)[1].split("?", 1)[0]
    return URLSafeTimedSerializer("unused", salt="storage-part").loads_unsafe(token)[1]["n"]


def _stored_copy(stack, work_id, upload_id, digest):
    """Where the upload's bytes are stored: in quarantine until the worker verifies them, then as
    the work's original (named by its SHA-256); None until they are there, whole."""
    storage = stack.data_dir / "storage"
    for path in (storage / "quarantine" / upload_id / NAME, storage / "works" / str(work_id) / "original" / f"{digest}.mp4"):
        try:
            if _sha256(path) == digest:
                return path
        except FileNotFoundError:  # not there (yet), or moved out of quarantine meanwhile
            continue
    return None


def _created_upload(response):
    return response.request.method == "POST" and response.url.endswith("/media/uploads")


def _hash_on_asset_page(page, timeout=30):
    """The SHA-256 the asset page shows once the worker has verified the file (reloaded until then)."""
    deadline = time.monotonic() + timeout
    while True:
        shown = page.locator("code.hash").inner_text().strip()
        if re.fullmatch(r"[0-9a-f]{64}", shown) or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(500)
        page.reload()


def test_upload_survives_a_dropped_connection_and_stores_the_same_bytes(new_context, stack, artist, video):
    """A two-part upload whose second part loses its connection once is retried by the browser,
    completes, announces it, links the new file, lists it with its state following the worker
    live, and stores exactly the bytes of the file."""
    page = new_context().new_page()
    problems = _watch_for_script_errors(page)
    work_id = _new_work(page, artist, "Test pattern")
    digest = _sha256(video)

    stored_parts, failed_parts = [], []
    page.on("response", lambda r: stored_parts.append(_part_number(r.url)) if _is_part_put(r.request) and r.ok else None)
    page.on("requestfailed", lambda r: failed_parts.append(_part_number(r.url)) if _is_part_put(r) else None)

    def drop_first_try_of_part_2(route):
        if _part_number(route.request.url) == 2 and 2 not in failed_parts:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/media/parts/**", drop_first_try_of_part_2)

    uploader = page.locator("#uploader")
    expect(page.locator("form[data-plain-upload]")).to_be_hidden()
    with page.expect_response(_created_upload) as created:
        _choose(page, video)
    upload_id = created.value.json()["uploadId"]

    item = uploader.get_by_role("listitem").filter(has_text=NAME)
    live = uploader.locator("[aria-live=polite]")
    expect(live).to_contain_text(f"Uploading {NAME}.")
    link = item.get_by_role("link", name=f"Open {NAME}")
    expect(link).to_be_visible(timeout=30_000)

    assert failed_parts == [2], f"part 2's first try should have failed, failures: {failed_parts}"
    assert sorted(stored_parts) == [1, 2], f"parts stored: {stored_parts}"
    expect(live).to_contain_text(f"The connection was interrupted while sending {NAME}. Trying again")
    expect(live).to_contain_text(f"{NAME} is uploaded.")
    expect(live).to_contain_text(re.compile(rf"{re.escape(NAME)}: [1-9]0\s?% sent\."))  # in steps of 10 %
    progress = item.locator("progress")
    assert progress.evaluate("p => p.max > 0 && p.value === p.max"), progress.evaluate("p => [p.value, p.max]")
    expect(item).to_contain_text(re.compile(r"(\d+(?:\.\d)?\s?MB) of \1"))  # all of it sent
    # The page's list of files now holds it, without a reload, and its state follows the worker live
    # (static/js/media-live.js over Socket.IO): announced as it leaves "Received".
    files = page.get_by_role("table", name="Files")
    expect(files.get_by_role("link", name=NAME)).to_be_visible()
    state_change = re.compile(rf"{re.escape(NAME)}: (Processing|Ready)")
    expect(page.locator("[data-media-live]")).to_contain_text(state_change, timeout=30_000)
    expect(files.locator("[data-asset-state]")).to_have_text(re.compile(r"Processing|Ready"))

    assert wait_until(lambda: _stored_copy(stack, work_id, upload_id, digest), timeout=15, message="the stored file")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    assert _hash_on_asset_page(page) == digest
    assert not problems, f"errors in the page: {problems}"


def test_upload_resumes_after_a_reload_sending_only_the_missing_part(new_context, stack, artist, video):
    """After a reload in the middle of an upload the artist chooses the file again (too large for
    the browser to keep) and only the part that was not stored yet is sent."""
    page = new_context().new_page()
    problems = _watch_for_script_errors(page)
    work_id = _new_work(page, artist, "Reloaded")
    digest = _sha256(video)

    hold = [True]

    def hold_all_but_part_1(route):
        if hold[0] and _part_number(route.request.url) != 1:
            return  # no answer: a connection that hangs until the page is reloaded
        route.continue_()

    page.route("**/media/parts/**", hold_all_but_part_1)
    with page.expect_response(lambda r: _is_part_put(r.request) and r.ok and _part_number(r.url) == 1), \
            page.expect_response(_created_upload) as created:
        _choose(page, video)
    upload_id = created.value.json()["uploadId"]
    page.wait_for_function(SAVED_UPLOAD)  # Golden Retriever has the upload's id

    # axe on the uploader while it works (progress bar, pause and cancel buttons).
    item = page.locator("#uploader").get_by_role("listitem").filter(has_text=NAME)
    expect(item.get_by_role("button", name="Pause")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, "axe on the work page while uploading:\n" + "\n".join(violations)

    sent_after_reload = []
    page.reload()
    hold[0] = False
    page.on("request", lambda r: sent_after_reload.append(_part_number(r.url)) if _is_part_put(r) else None)

    item = page.locator("#uploader").get_by_role("listitem").filter(has_text=NAME)
    expect(item).to_contain_text(f"Choose {NAME} again to continue its upload")
    _choose(page, video)
    expect(item.get_by_role("link", name=f"Open {NAME}")).to_be_visible(timeout=30_000)
    live = page.locator("#uploader [aria-live=polite]")
    expect(live).to_contain_text(f"Resuming the upload of {NAME} where it stopped.")
    expect(live).to_contain_text(f"{NAME} is uploaded.")
    assert sent_after_reload == [2], f"parts sent after the reload: {sent_after_reload}"
    assert item.locator("progress").evaluate("p => p.max > 0 && p.value === p.max")
    assert wait_until(lambda: _stored_copy(stack, work_id, upload_id, digest), timeout=15, message="the stored file")
    assert not problems, f"errors in the page: {problems}"


def test_try_again_after_a_failure_resumes_without_sending_parts_twice(new_context, stack, artist, video):
    """When the server refuses to complete (here once, as if a part had gone missing), the file
    shows the server's reason and a "Try again" button, which completes it from the parts stored."""
    page = new_context().new_page()
    problems = _watch_for_script_errors(page)
    _new_work(page, artist, "Try again")
    refused = []

    def refuse_first_completion(route):
        if not refused:
            refused.append(route.request.url)
            route.fulfill(status=409, content_type="application/json",
                          json={"error": "Some parts of the file are missing. Resume the upload to send them."})
        else:
            route.continue_()

    page.route("**/media/uploads/*/complete", refuse_first_completion)
    sent = []
    page.on("request", lambda r: sent.append(_part_number(r.url)) if _is_part_put(r) else None)
    _choose(page, video)

    item = page.locator("#uploader").get_by_role("listitem").filter(has_text=NAME)
    expect(item).to_contain_text(f"{NAME} could not be uploaded: Some parts of the file are missing.")
    live = page.locator("#uploader [aria-live=polite]")
    expect(live).to_contain_text(f"{NAME} could not be uploaded: Some parts of the file are missing.")
    assert sorted(sent) == [1, 2]
    item.get_by_role("button", name="Try again").click()
    expect(item.get_by_role("link", name=f"Open {NAME}")).to_be_visible()
    expect(live).to_contain_text(f"{NAME} is uploaded.")
    assert sorted(sent) == [1, 2], f"parts sent: {sent}"
    assert len(refused) == 1
    assert not problems, f"errors in the page: {problems}"
