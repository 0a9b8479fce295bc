"""Every feature's models, imported in one place so Alembic and the app see the whole schema."""

from residency.accounts.models import AuthToken, LoginSession, RoleGrant, User  # noqa: F401
from residency.audit.models import AuditEntry  # noqa: F401
from residency.cities.models import City  # noqa: F401
from residency.core.models import OutboxJob, SystemProbe  # noqa: F401
from residency.notifications.models import EmailMessage  # noqa: F401
from residency.media.models import Derivative, MediaAsset, Upload, Work  # noqa: F401
from residency.calls.models import Call, CallChange  # noqa: F401
from residency.applications.models import (  # noqa: F401
    Application, ApplicationMember, ApplicationMessage, ApplicationVersion, ArtistProfile,
)
from residency.jury.models import (  # noqa: F401
    Assignment, Comment, Conflict, JurySettings, PanelMember, Preference, Review, Round, RoundApplication, Score,
)
from residency.jury.record_models import Decision, DiscussionMessage, LedgerHead, LedgerRecord  # noqa: F401
from residency.residencies.models import (  # noqa: F401
    CalendarFeed, Notice, Participant, Residency, Session,
)
from residency.festivals.models import (  # noqa: F401
    CatalogueEntry, Download, Edition, Festival, Package, PackageFile, RequestEvent, RightsRequest, Screening,
    ShortlistItem, Terms,
)
from residency.rooms.models import Mention, Message, ReadMarker, Room, RoomMember, Mute  # noqa: F401
from residency.integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint  # noqa: F401
