from tests.api.conftest import (  # noqa: F401  (the API tests' fixtures)
    FORM, T0, coordinator, make_application, make_asset, make_call, make_token, snapshot_of,
)
