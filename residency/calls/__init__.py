"""Open calls: written by coordinators, with their form, rubric and timeline; public pages and feeds."""
