"""What `doorstep demo` prints: what was loaded and how each demo user signs in."""

from __future__ import annotations

from server.demo.load import DemoReport

KINDS = (("town", "town", "towns"), ("village", "village", "villages"), ("community", "community", "communities"),
         ("grid", "grid", "grids"))
COLLECTIONS = (("households", "households"), ("visits", "visits"), ("disputes", "disputes"),
               ("followups", "follow-ups"))


def summary(report: DemoReport, where: str, password_given: bool) -> str:
    areas = ", ".join(f"{report.areas[k]} {one if report.areas[k] == 1 else many}"
                      for k, one, many in KINDS if report.areas.get(k))
    records = ", ".join(f"{report.records.get(c, 0)} {label}" for c, label in COLLECTIONS)
    lines = [f"Demo town 青石镇 in {where}",
             f"  areas:   {areas}" + ("" if report.new_areas else " (already there)"),
             f"  records: {records}"]
    if report.applied == 0:
        lines.append("           all already there: nothing changed")
    else:
        lines.append(f"           {report.applied} written now, {report.replayed} already there")
    lines.append("  users:")
    width = max(len(u.username) for u in report.users)
    for u in report.users:
        areas_text = ", ".join(f"{report.area_names.get(c, c)} ({c})" for c in u.areas)
        if u.action == "unchanged":
            access = "already exists: password unchanged (rerun with --password to reset it)"
        elif password_given:
            access = f"{u.action}, password as given"
        else:
            access = f"{u.action}, password: {u.password}"
        lines.append(f"    {u.username:<{width}}  {u.role:<12}  {areas_text}")
        lines.append(f"    {'':<{width}}  {access}")
    if not password_given and any(u.password for u in report.users):
        lines.append("Write the passwords down: they are shown only once.")
    return "\n".join(lines)
