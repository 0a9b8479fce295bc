"""The demo's API token: the demo coordinator's, reading and writing as a coordinator.

Idempotent: an active demo token is kept (its secret cannot be shown again: only its hash is
stored). The caller commits.
"""

from residency.accounts.operations import find_user_by_email
from residency.integrations import tokens

COORDINATOR = "coordinator@demo.example.org"
NAME = "Demo integration"
SCOPES = ["applications:read", "coordinator:read", "coordinator:write", "public:read"]


def load_demo_integrations():
    user = find_user_by_email(COORDINATOR)
    if user is None:
        return []
    if any(token.name == NAME for token in tokens.active_tokens(user)):
        return [f"API token of {COORDINATOR}: '{NAME}' exists (its secret was shown when it was made)"]
    _token, raw = tokens.create_token(user, NAME, SCOPES, 90)
    return [f"API token of {COORDINATOR} (coordinator scopes, 90 days): {raw}",
            "  try: curl -H 'Authorization: Bearer <token>' http://localhost:5000/api/v1/calls"]
