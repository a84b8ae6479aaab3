"""The demo town's dispute cases and their follow-ups, written the way a township ledger records them.

Dates are days relative to the day the demo is loaded, so some cases are overdue and some
follow-ups are due whatever day that is. ``{a}``, ``{b}``, ... in a text are the heads of the
households involved, in order; ``{s}`` is the first head's surname.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FollowupPlan:
    due: int  # days from today (negative: in the past)
    done: int | None  # days from today, or None when not yet done
    kept: bool | None
    notes: str


@dataclass(frozen=True)
class CasePlan:
    key: str
    grid: str
    households: tuple[int, ...]  # 1-based household numbers in the grid; their heads are parties
    roles: tuple[str, ...]  # one role per household
    title: str
    description: str
    category: str
    risk: str
    status: str
    handling: str | None
    assignee: str | None  # a demo username
    reported: int  # days from today
    deadline: int  # days from today
    followup_class: int | None
    location: str
    others: tuple[tuple[str, str], ...] = ()  # parties who are not households of the grid: (name, role)
    followups: tuple[FollowupPlan, ...] = ()
    outcome: str = ""  # how it ended, for cases that have ended


CASES = (
    CasePlan(
        "boundary-wall", "QSZ-QS-G2", (5, 6), ("申请人", "被申请人"),
        "{a}与{b}宅基地围墙界址纠纷",
        "{b}家翻建院墙，新墙比原址向外移约30厘米，{a}认为占用了两家之间的公共通道，"
        "三轮车无法通行。双方多次争吵，{a}扬言要推倒围墙。网格员已到现场拍照，并调取了2015年宅基地确权图。",
        "neighbour", "orange", "in_mediation", "people_mediation", "mediator", -9, 5, 1,
        "青石村2组两户之间的公共通道",
    ),
    CasePlan(
        "elder-support", "QSZ-QS-G2", (11,), ("申请人",),
        "{a}赡养费分担纠纷",
        "{a}年过八旬独居，三个儿子对赡养费和看病费用的分担意见不一，老人生活较为困难。"
        "网格员入户时召集三兄弟当场调解，约定每人每月支付赡养费500元，医疗费平均分担，已签订调解协议。",
        "marriage_family", "yellow", "resolved", "people_mediation", "worker1", -40, -35, 1,
        "青石村2组老人住处",
        others=(("{s}志刚", "被申请人"), ("{s}志明", "被申请人"), ("{s}志强", "被申请人")),
        followups=(FollowupPlan(-5, -4, True, "回访：三兄弟均按月支付赡养费，老人表示满意，协议履行良好。"),),
        outcome="达成调解协议：三兄弟每人每月支付赡养费500元，医疗费三人平均分担，由村调委会监督履行。",
    ),
    CasePlan(
        "land-rent", "QSZ-QS-G1", (3,), ("申请人",),
        "{a}承包地流转租金拖欠纠纷",
        "{a}将家中5亩水田流转给种粮大户经营，合同约定每年租金3000元，对方已拖欠两年共6000元，"
        "多次催要未果。{a}要求收回土地并付清租金。",
        "land_contract", "yellow", "assigned", None, "mediator", -12, -3, 2,
        "青石村1组水田（村南灌渠旁）",
        others=(("徐国平（种粮大户）", "被申请人"),),
    ),
    CasePlan(
        "pig-farm", "QSZ-QS-G4", (2, 7, 9), ("反映人", "反映人", "反映人"),
        "养殖场污水排放影响下游稻田",
        "{a}、{b}、{c}等村民反映，村东养猪场雨天将污水直排入青石溪，下游稻田发黄减产，"
        "溪水有明显异味。村民情绪较大，曾聚集到养殖场门口。已移交镇环保办现场核查。",
        "environment", "orange", "referred", "referral", None, -15, 10, None,
        "青石村4组村东养猪场及下游溪段",
        others=(("王德福（养殖场负责人）", "被反映人"),),
        outcome="已移交镇环保办；环保办现场核查后责令养殖场限期建设污水处理设施。",
    ),
    CasePlan(
        "loan", "QSZ-QS-G5", (4,), ("申请人",),
        "{a}民间借贷纠纷",
        "{a}于前年借给同村人3万元用于购买货车，约定一年归还，现逾期一年未还。{a}上门催讨时双方发生推搡。"
        "经两次调解，借款人仅承认借款2万元，双方分歧较大，已告知{a}可向法院起诉，并提供法律援助联系方式。",
        "private_lending", "orange", "unresolved", "litigation", "mediator", -30, -10, None,
        "青石村5组",
        others=(("陈海平", "被申请人"),),
        outcome="两次调解未达成一致，已引导{a}向人民法院起诉，并告知法律援助申请途径。",
    ),
    CasePlan(
        "wages", "QSZ-LX-G3", (1, 4, 8, 12), ("申请人", "申请人", "申请人", "申请人"),
        "柳溪竹木加工厂拖欠12名村民工资",
        "{a}、{b}、{c}、{d}等12名村民在柳溪竹木加工厂务工，厂方以资金周转困难为由拖欠三个月工资，"
        "共计约18万元。工人表示如月底前拿不到工资将到县里集体上访，存在激化风险。"
        "已报镇劳动保障所，约厂方负责人面谈。",
        "labour", "red", "in_mediation", "admin_mediation", "worker2", -11, -2, 1,
        "柳溪村竹木加工厂",
        others=(("周建华（加工厂负责人）", "被申请人"),),
    ),
    CasePlan(
        "road-accident", "QSZ-LX-G3", (15, 17), ("申请人", "被申请人"),
        "{a}与{b}交通事故赔偿纠纷",
        "{b}驾驶电动三轮车在村道转弯处与{a}的摩托车相撞，{a}右腿骨折住院。双方对医疗费和误工费的分担有争议。"
        "经调解，{b}赔偿医疗费、误工费等共计2.6万元，分两期付清。",
        "traffic", "yellow", "resolved", "people_mediation", "worker2", -110, -95, 2,
        "柳溪村3组村道转弯处",
        followups=(FollowupPlan(-10, -8, True, "回访：第二期赔偿款已付清，双方关系已缓和。"),),
        outcome="达成调解协议：{b}赔偿{a}医疗费、误工费等共计2.6万元，分两期在三个月内付清，双方不再追究。",
    ),
    CasePlan(
        "road-widening", "QSZ-LX-G1", (2, 5, 6, 9), ("反映人", "反映人", "反映人", "反映人"),
        "县道拓宽征地青苗补偿标准争议",
        "县道拓宽工程征用柳溪村1组部分耕地，{a}、{b}、{c}、{d}等6户村民认为青苗补偿标准低于邻村，"
        "不同意开工。已报镇征迁办，待核实补偿依据后答复村民。",
        "land_requisition", "orange", "assigned", None, None, -6, 14, None,
        "柳溪村1组县道沿线耕地",
    ),
    CasePlan(
        "divorce-house", "QSZ-LX-G6", (3,), ("申请人",),
        "{a}离婚房产分割纠纷",
        "{a}夫妻感情破裂，双方对婚后在宅基地上新建的房屋归属争执不下，女方已回娘家居住，两家多次发生口角。",
        "marriage_family", "yellow", "reported", None, None, -2, 7, None,
        "柳溪村6组",
        others=(("刘春梅", "被申请人"),),
    ),
    CasePlan(
        "parking-fee", "QSZ-SQ-G2", (6, 10), ("业主代表", "业主代表"),
        "小区停车收费上涨引发物业费纠纷",
        "新华街小区物业公司将地面停车费由每月60元上调至120元，未经业主大会讨论。{a}、{b}等业主拒交物业费，"
        "物业公司称将停止垃圾清运。社区已约双方协商。",
        "property", "blue", "in_mediation", "admin_mediation", None, -8, 3, 1,
        "石桥社区新华街小区",
        others=(("新华物业服务有限公司", "被申请人"),),
    ),
    CasePlan(
        "damp-wall", "QSZ-SQ-G4", (7, 8), ("申请人", "被申请人"),
        "{a}与{b}相邻墙体渗水纠纷",
        "{b}家卫生间防水层损坏，渗水导致隔壁{a}家共用墙体霉变脱皮。网格员上门协调，{b}同意请人修复防水层，"
        "并承担{a}家墙面修复费用1200元，当场达成一致。",
        "neighbour", "blue", "resolved", "people_mediation", None, -18, -14, 1,
        "石桥社区桂花巷",
        followups=(FollowupPlan(12, None, None, ""),),
        outcome="当场达成口头协议：{b}修复卫生间防水层，并承担{a}家墙面修复费用1200元。",
    ),
    CasePlan(
        "renovation", "QSZ-SQ-G1", (9,), ("申请人",),
        "{a}房屋装修质量纠纷",
        "{a}家装修后墙面开裂、地砖空鼓，与装修队就返工和尾款8000元产生纠纷。调解约定装修队半个月内返工，"
        "验收合格后付清尾款。",
        "consumer", "blue", "resolved", "people_mediation", None, -45, -38, 1,
        "石桥社区石桥路",
        others=(("宏达装饰队（负责人 蒋国强）", "被申请人"),),
        followups=(FollowupPlan(-8, -7, False, "回访：装修队未按约定返工，已告知当事人可向市场监管所投诉，并转办。"),),
        outcome="达成调解协议：装修队半个月内返工，验收合格后{a}付清尾款8000元。",
    ),
    CasePlan(
        "pension-scheme", "QSZ-LX-G5", (4, 11), ("反映人", "反映人"),
        "以高息养老项目名义吸收老人存款",
        "有外地人员在村里开会推销所谓养老投资项目，承诺年息15%，已有{a}、{b}等8户老人交款，合计约40万元。"
        "疑似非法集资，已移交派出所，并入户提醒其他老人不要交款。",
        "illegal_fundraising", "red", "referred", "referral", None, -4, 3, None,
        "柳溪村5组村文化礼堂",
        outcome="已移交青石派出所立案调查，村里已入户提醒老人不要再交款。",
    ),
    CasePlan(
        "clinic", "QSZ-QS-G3", (8,), ("申请人",),
        "{a}家属与镇卫生院医疗纠纷",
        "{a}的母亲在镇卫生院输液后病情加重转县医院治疗，家属认为卫生院处置不当，要求赔偿医疗费并道歉，"
        "多次到卫生院吵闹。",
        "medical", "orange", "reported", None, None, -5, -1, None,
        "青石镇卫生院",
        others=(("青石镇卫生院", "被申请人"),),
    ),
    CasePlan(
        "school-injury", "QSZ-SQ-G5", (3,), ("申请人",),
        "{a}之子在校受伤责任纠纷",
        "{a}之子在学校课间活动时摔伤手臂，家长认为学校看护不到位，要求承担全部医疗费用；学校认为已尽管理责任。",
        "education", "yellow", "assigned", "admin_mediation", None, -3, 20, 1,
        "石桥社区学前街 青石镇中心小学",
        others=(("青石镇中心小学", "被申请人"),),
    ),
)
