"""Door-to-door visits of the demo campaign: who was visited, when, with what outcome and notes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from server.demo.town import HouseholdSpec

CHINA = timezone(timedelta(hours=8))
CAMPAIGN_DAYS = 24  # the sweep started this many days before the demo is loaded

# Share of each grid's households visited so far; the rest are drawn. Low ones are the grids
# a supervisor should notice are behind.
COVERAGE = {"QSZ-QS-G2": 0.9, "QSZ-LX-G3": 0.75, "QSZ-QS-G6": 0.1, "QSZ-LX-G7": 0.15, "QSZ-SQ-G6": 0.2}

MET = (
    "户主在家，家庭和睦，邻里关系融洽，无矛盾纠纷。",
    "与户主交谈，宣传矛盾纠纷排查和人民调解相关政策，留下网格员联系卡。",
    "老人独居，子女在外地务工，已登记子女联系电话，提醒注意防诈骗。",
    "一家五口均在家，家庭情况正常，无纠纷隐患。",
    "户主在家，了解家庭成员就业情况，无矛盾纠纷。",
    "户主外出务工，与其妻子交谈，家庭情况正常。",
    "家中有残疾人一名，已核实低保和残疾人补贴发放情况。",
    "宣传反诈和防范非法集资知识，户主表示知晓。",
)
CONCERNS = (
    "反映村道路灯损坏，晚上出行不便。",
    "反映门前排水沟堵塞，下雨天积水进院。",
    "询问城乡居民医保缴费时间和标准。",
    "反映灌溉用水分配不均，希望村里统一安排放水时间。",
    "反映附近工地夜间施工噪音大。",
    "询问危旧房改造补助政策。",
    "反映垃圾收集点离家太近，夏天有异味。",
    "希望增加去镇上的公交班次。",
)
NOBODY_HOME = (
    "家中无人，已在门上张贴联系卡，择日再访。",
    "敲门无人应答，邻居称一家人白天在外务工，晚上才回。",
    "家中无人，电话联系户主未接通，下周再访。",
)
REFUSED = (
    "户主不愿配合登记，称家中无事，不需要上门。",
    "户主情绪较差，拒绝交谈，建议由村干部陪同再访。",
)
MOVED = (
    "邻居称该户已搬到县城居住，房屋长期空置，户籍信息待核实。",
    "该户全家已迁往外省，房屋已出租，已登记租户情况。",
)


@dataclass(frozen=True)
class VisitSpec:
    key: str
    household: str  # household key
    visited_at: str  # RFC 3339, China time
    outcome: str
    notes: str
    concerns: str | None
    lat: float
    lon: float
    accuracy_m: float
    dispute_ids: tuple[str, ...] = ()  # cases recorded at this visit


def stamp(day: date, at: time) -> str:
    return datetime.combine(day, at, CHINA).isoformat()


def _moment(rng: random.Random, today: date, days_ago: int) -> str:
    # Field work runs from about half past eight to six, with a lunch break.
    minutes = rng.choice((rng.randint(8 * 60 + 30, 11 * 60 + 45), rng.randint(13 * 60 + 30, 18 * 60)))
    return stamp(today - timedelta(days=days_ago), time(minutes // 60, minutes % 60))


def _near(rng: random.Random, h: HouseholdSpec, accuracy: float) -> tuple[float, float]:
    """Where the phone said it was: within a few metres of the door (1e-5 degrees is about a metre)."""
    spread = accuracy * 0.6e-5
    return round(h.lat + rng.uniform(-spread, spread), 6), round(h.lon + rng.uniform(-spread, spread), 6)


def _visit(rng: random.Random, h: HouseholdSpec, n: int, when: str, outcome: str, notes: str,
           concerns: str | None = None, dispute_ids: tuple[str, ...] = ()) -> VisitSpec:
    accuracy = float(rng.choice((4, 5, 6, 8, 10, 12, 15, 20, 35)))
    lat, lon = _near(rng, h, accuracy)
    return VisitSpec(f"{h.key}/visit{n}", h.key, when, outcome, notes, concerns, lat, lon, accuracy, dispute_ids)


def plan_visits(households: list[HouseholdSpec], found: dict[str, tuple[int, str, str]], today: date,
                seed: int) -> list[VisitSpec]:
    """Visits for the campaign so far; ``found`` maps a household key to (days ago, case title, case id)
    for households where a dispute was recorded during the sweep."""
    rng = random.Random(seed)
    visits: list[VisitSpec] = []
    by_grid: dict[str, list[HouseholdSpec]] = {}
    for h in households:
        by_grid.setdefault(h.grid, []).append(h)
    for grid, members in by_grid.items():
        share = COVERAGE.get(grid, rng.uniform(0.35, 0.8))
        for h in members:
            if h.key in found:
                days_ago, title, case_id = found[h.key]
                visits.append(_visit(rng, h, 1, _moment(rng, today, days_ago), "met",
                                     f"入户排查发现矛盾纠纷，已登记：{title}。", dispute_ids=(case_id,)))
                continue
            if rng.random() >= share:
                continue
            visits += _household_visits(rng, h, today)
    return visits


def _household_visits(rng: random.Random, h: HouseholdSpec, today: date) -> list[VisitSpec]:
    days_ago = rng.randint(1, CAMPAIGN_DAYS)
    roll = rng.random()
    if roll < 0.10:
        first = _visit(rng, h, 1, _moment(rng, today, days_ago), "nobody_home", rng.choice(NOBODY_HOME))
        if days_ago < 4 or rng.random() < 0.4:
            return [first]
        # Most doors found shut are tried again a few days later.
        again = rng.randint(1, min(days_ago - 1, 6))
        return [first, _visit(rng, h, 2, _moment(rng, today, days_ago - again), "met", rng.choice(MET),
                              rng.choice(CONCERNS) if rng.random() < 0.25 else None)]
    if roll < 0.14:
        return [_visit(rng, h, 1, _moment(rng, today, days_ago), "refused", rng.choice(REFUSED))]
    if roll < 0.18:
        return [_visit(rng, h, 1, _moment(rng, today, days_ago), "moved", rng.choice(MOVED))]
    concerns = rng.choice(CONCERNS) if rng.random() < 0.25 else None
    return [_visit(rng, h, 1, _moment(rng, today, days_ago), "met", rng.choice(MET), concerns)]
