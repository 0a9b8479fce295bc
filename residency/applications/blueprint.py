"""The applications feature's two blueprints.

``bp`` holds the artists' pages (``views``, ``file_views``, ``member_views``, ``profile_views``);
``review_bp`` the coordinators' (``review``, ``review_files``).
"""

from flask import Blueprint

bp = Blueprint("applications", __name__)
review_bp = Blueprint("review", __name__)
