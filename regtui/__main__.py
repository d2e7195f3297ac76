"""Entry point for `python -m regtui`."""

from regtui.cli.main import main

raise SystemExit(main())
