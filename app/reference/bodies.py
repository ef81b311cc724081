"""The state bodies Dauys seeds: code, names (kk, ru, en), level.

National bodies review in 40 working days, regional akimats in 20 (DOMAIN.md);
an administrator can change both per body.
"""

from __future__ import annotations

NATIONAL_REVIEW_DAYS = 40
REGIONAL_REVIEW_DAYS = 20

RK_KK = "Қазақстан Республикасының"
RK_RU = "Республики Казахстан"

# (code, Kazakh name without the country, Russian name without the country, English)
_NATIONAL = [
    ("GOV", "Үкіметі", "Правительство", "Government of the Republic of Kazakhstan"),
    ("SENATE", None, None, "Senate of the Parliament of the Republic of Kazakhstan"),
    ("MAZHILIS", None, None, "Mazhilis of the Parliament of the Republic of Kazakhstan"),
    ("MIN-HEALTH", "Денсаулық сақтау министрлігі", "Министерство здравоохранения", "Ministry of Health"),
    ("MIN-EDU", "Оқу-ағарту министрлігі", "Министерство просвещения", "Ministry of Education"),
    ("MIN-SCIENCE", "Ғылым және жоғары білім министрлігі", "Министерство науки и высшего образования", "Ministry of Science and Higher Education"),
    ("MIN-LABOUR", "Еңбек және халықты әлеуметтік қорғау министрлігі", "Министерство труда и социальной защиты населения", "Ministry of Labour and Social Protection of the Population"),
    ("MIN-ECOLOGY", "Экология және табиғи ресурстар министрлігі", "Министерство экологии и природных ресурсов", "Ministry of Ecology and Natural Resources"),
    ("MIN-WATER", "Су ресурстары және ирригация министрлігі", "Министерство водных ресурсов и ирригации", "Ministry of Water Resources and Irrigation"),
    ("MIN-TRANSPORT", "Көлік министрлігі", "Министерство транспорта", "Ministry of Transport"),
    ("MIN-INDUSTRY", "Өнеркәсіп және құрылыс министрлігі", "Министерство промышленности и строительства", "Ministry of Industry and Construction"),
    ("MIN-ENERGY", "Энергетика министрлігі", "Министерство энергетики", "Ministry of Energy"),
    ("MIN-ECONOMY", "Ұлттық экономика министрлігі", "Министерство национальной экономики", "Ministry of National Economy"),
    ("MIN-FINANCE", "Қаржы министрлігі", "Министерство финансов", "Ministry of Finance"),
    ("MIN-AGRI", "Ауыл шаруашылығы министрлігі", "Министерство сельского хозяйства", "Ministry of Agriculture"),
    ("MIN-CULTURE", "Мәдениет және ақпарат министрлігі", "Министерство культуры и информации", "Ministry of Culture and Information"),
    ("MIN-DIGITAL", "Жасанды интеллект және цифрлық даму министрлігі", "Министерство искусственного интеллекта и цифрового развития", "Ministry of Artificial Intelligence and Digital Development"),
    ("MIN-INTERIOR", "Ішкі істер министрлігі", "Министерство внутренних дел", "Ministry of Internal Affairs"),
    ("MIN-JUSTICE", "Әділет министрлігі", "Министерство юстиции", "Ministry of Justice"),
    ("MIN-EMERGENCY", "Төтенше жағдайлар министрлігі", "Министерство по чрезвычайным ситуациям", "Ministry of Emergency Situations"),
    ("MIN-TOURISM", "Туризм және спорт министрлігі", "Министерство туризма и спорта", "Ministry of Tourism and Sports"),
    ("MIN-TRADE", "Сауда және интеграция министрлігі", "Министерство торговли и интеграции", "Ministry of Trade and Integration"),
]

_PARLIAMENT = {
    "SENATE": ("Қазақстан Республикасы Парламентінің Сенаты", "Сенат Парламента Республики Казахстан"),
    "MAZHILIS": ("Қазақстан Республикасы Парламентінің Мәжілісі", "Мажилис Парламента Республики Казахстан"),
}

# Russian genitive of the region names in kz_regions.csv, for "Акимат ...".
_RU_GENITIVE_CITIES = {"Астана": "города Астаны", "Алматы": "города Алматы", "Шымкент": "города Шымкент"}


def national_bodies() -> list[dict]:
    bodies = []
    for order, (code, kk, ru, en) in enumerate(_NATIONAL):
        if code in _PARLIAMENT:
            name_kk, name_ru = _PARLIAMENT[code]
        else:
            name_kk = f"{RK_KK} {kk}"
            name_ru = f"{ru} {RK_RU}"
            if code != "GOV":
                en = f"{en} of the Republic of Kazakhstan"
        bodies.append({"code": code, "name_kk": name_kk, "name_ru": name_ru, "name_en": en,
                       "sort_order": order})
    return bodies


def _akimat_ru(region_ru: str) -> str:
    if region_ru in _RU_GENITIVE_CITIES:
        return f"Акимат {_RU_GENITIVE_CITIES[region_ru]}"
    if region_ru.startswith("Область "):
        return f"Акимат области {region_ru.removeprefix('Область ')}"
    adjective, _, noun = region_ru.rpartition(" ")
    assert noun == "область" and adjective.endswith("ская"), region_ru
    return f"Акимат {adjective[:-4]}ской области"


def _akimat_kk(region_kk: str, kind: str) -> str:
    if kind == "city":
        return f"{region_kk} қаласының әкімдігі"
    assert region_kk.endswith("облысы"), region_kk
    return f"{region_kk}ның әкімдігі"


def akimat(region: dict, order: int) -> dict:
    """The akimat of one region row of kz_regions.csv."""
    en = f"Akimat of {region['name_en']}"
    return {
        "code": f"AKIMAT-{region['code']}",
        "name_kk": _akimat_kk(region["name_kk"], region["kind"]),
        "name_ru": _akimat_ru(region["name_ru"]),
        "name_en": en,
        "sort_order": 100 + order,
    }
