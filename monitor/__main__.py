"""`python -m monitor <command>` runs the mofawatch CLI."""

from monitor.cli import main

raise SystemExit(main())
