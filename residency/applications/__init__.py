"""Applications: artists' profiles, drafts, submitted versions, co-applicants; coordinators' view."""
