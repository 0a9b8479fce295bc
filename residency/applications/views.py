"""Artists' pages: profile and portfolio, applying, drafts, submission, co-applicants."""

from flask import Blueprint

bp = Blueprint("applications", __name__)
