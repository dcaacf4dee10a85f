"""The database of mofawatch: models, migrations, sessions and queries.

Imports nothing of crawler or monitor."""
