"""Chinese names, phone numbers and addresses for the demo town, drawn from a seeded generator."""

from __future__ import annotations

import random

# Common surnames, most frequent first; each village also has its own clans (see town.py).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞健波宁亮峰林海龙洪锋"
GIVEN_FEMALE = "芳娟敏静丽艳娜秀英霞玲兰凤琴云莲红梅燕萍婷雪慧珍"
# Two-character given names, the common ones of the generations now heading rural households.
GIVEN_PAIRS = (
    "建国", "建华", "建军", "建平", "国强", "国平", "国庆", "志刚", "志明", "志强", "德明", "德福", "福生",
    "长根", "金水", "水生", "根宝", "春生", "秋生", "荣华", "永康", "永福", "家兴", "海平", "海军", "卫东",
    "红军", "立新", "新民", "文华", "文斌", "振华", "玉明", "宝根", "火根", "冬生", "秀英", "桂兰", "凤英",
    "玉兰", "春梅", "美华", "爱萍", "小红", "金花", "月娥", "冬梅", "素芬", "彩凤", "秀珍", "丽华", "桂英",
    "雪梅", "晓燕", "海燕", "婷婷", "佳怡", "子涵", "浩然", "宇航",
)
MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "180",
                   "186", "187", "189", "191", "199")


def person_name(rng: random.Random, clans: str = "") -> str:
    """A plausible full name; ``clans`` are surnames that dominate the village."""
    if clans and rng.random() < 0.45:
        surname = rng.choice(clans)
    else:
        # Skew towards the common surnames at the front of the list.
        surname = SURNAMES[min(int(rng.expovariate(1 / 14)), len(SURNAMES) - 1)]
    roll = rng.random()
    if roll < 0.6:
        return surname + rng.choice(GIVEN_PAIRS)
    if roll < 0.85:
        return surname + rng.choice(GIVEN_MALE)
    return surname + rng.choice(GIVEN_FEMALE)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))


CN_NUMERALS = "零一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1..19 as Chinese numerals (enough for grid names)."""
    if n <= 10:
        return CN_NUMERALS[n]
    return "十" + CN_NUMERALS[n - 10]
