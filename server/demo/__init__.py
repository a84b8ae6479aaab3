"""The demo town 青石镇: three villages, twenty grids, 484 households, 291 visits, 15 disputes.

``load_demo`` writes it into a migrated ledger; running it again changes nothing.
"""

from server.demo.load import USERS, DemoError, DemoReport, load_demo
from server.demo.records import demo_id

__all__ = ["USERS", "DemoError", "DemoReport", "demo_id", "load_demo"]
