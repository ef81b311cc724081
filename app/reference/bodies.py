"""The state bodies Dauys seeds: code, names (kk, ru, en), level.

National bodies review in 40 working days, akimats and maslikhats in 20 (the law,
APPC art. 90-5; DOMAIN.md); an administrator can change both per body.
"""

from __future__ import annotations

NATIONAL_REVIEW_DAYS = 40
REGIONAL_REVIEW_DAYS = 20
LOCAL_REVIEW_DAYS = 20

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
        kind = "government" if code == "GOV" else "parliament" if code in _PARLIAMENT else "ministry"
        bodies.append({"code": code, "kind": kind, "name_kk": name_kk, "name_ru": name_ru, "name_en": en,
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
        "kind": "akimat",
        "name_kk": _akimat_kk(region["name_kk"], region["kind"]),
        "name_ru": _akimat_ru(region["name_ru"]),
        "name_en": en,
        "sort_order": 100 + order,
    }


def maslikhat(region: dict, order: int) -> dict:
    """The maslikhat (the elected representative body) of one region row of kz_regions.csv."""
    akimat_ru = _akimat_ru(region["name_ru"])
    kk = _akimat_kk(region["name_kk"], region["kind"]).removesuffix("әкімдігі") + "мәслихаты"
    return {
        "code": f"MASLIKHAT-{region['code']}",
        "kind": "maslikhat",
        "name_kk": kk,
        "name_ru": "Маслихат" + akimat_ru.removeprefix("Акимат"),
        "name_en": f"Maslikhat of {region['name_en']}",
        "sort_order": 100 + order,
    }


def _district_ru_genitive(name_ru: str) -> str:
    """"Абайский район" -> "Абайского района", "район Ақсуат" -> "района Ақсуат",
    "город Семей" -> "города Семей" (every form in kz_units.csv)."""
    for noun, genitive in (("район ", "района "), ("город ", "города ")):
        if name_ru.startswith(noun):
            return genitive + name_ru.removeprefix(noun)
    adjective, _, noun = name_ru.rpartition(" ")
    assert noun == "район" and adjective.endswith("ий"), name_ru
    return f"{adjective[:-2]}ого района"


def district_bodies(unit: dict, order: int) -> list[dict]:
    """The bodies of one second-level unit of kz_units.csv: a district or a city of
    regional significance has an akimat and a maslikhat; a district inside a city of
    republican significance has an akim's office and no maslikhat of its own (the
    city's maslikhat serves it)."""
    kk, ru, en = unit["name_kk"], _district_ru_genitive(unit["name_ru"]), unit["name_en"]
    assert kk.endswith(("ауданы", "қаласы", "аудан")), kk
    if unit["kind"] == "city_district":
        return [{"code": f"AKIMAT-{unit['kato']}", "kind": "akimat", "name_kk": f"{kk} әкімінің аппараты",
                 "name_ru": f"Аппарат акима {ru}", "name_en": f"Office of the Akim of {en}",
                 "sort_order": 1000 + order}]
    return [
        {"code": f"AKIMAT-{unit['kato']}", "kind": "akimat", "name_kk": f"{kk}ның әкімдігі",
         "name_ru": f"Акимат {ru}", "name_en": f"Akimat of {en}", "sort_order": 1000 + order},
        {"code": f"MASLIKHAT-{unit['kato']}", "kind": "maslikhat", "name_kk": f"{kk}ның мәслихаты",
         "name_ru": f"Маслихат {ru}", "name_en": f"Maslikhat of {en}", "sort_order": 1000 + order},
    ]
