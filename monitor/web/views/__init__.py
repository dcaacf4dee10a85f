"""One blueprint per page of the web view."""
