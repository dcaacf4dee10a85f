"""`python -m monitor <command>` runs the mofawatch CLI."""

from monitor.cli.main import main

raise SystemExit(main())
