"""The read-only web view of the archive (`mofawatch serve`): Flask pages rendered on
the server with Jinja2 (autoescaping on), served by waitress."""
