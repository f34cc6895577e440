"""Seed the holiday table from chinesecalendar (2004–2026). Later years stay `missing`
until an administrator enters the State Council notice."""

from django.db import migrations

NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    HolidayDay = apps.get_model("lexcase_calendar", "HolidayDay")
    HolidayYear = apps.get_model("lexcase_calendar", "HolidayYear")
    rows = {}
    for day, name in constants.holidays.items():
        if day.weekday() < 5:  # weekends are rest days anyway; keep only the exceptions
            rows[day] = ("rest", NAMES_ZH.get(name, name))
    for day, name in constants.workdays.items():
        rows[day] = ("work", NAMES_ZH.get(name, name))
    HolidayDay.objects.bulk_create(
        [HolidayDay(date=d, year=d.year, kind=k, name=n) for d, (k, n) in sorted(rows.items())]
    )
    years = sorted({d.year for d in constants.holidays})
    HolidayYear.objects.bulk_create(
        [
            HolidayYear(
                year=y, status="published", source="chinesecalendar 1.11 (国务院办公厅通知)"
            )
            for y in years
        ]
    )


def unseed(apps, schema_editor):
    apps.get_model("lexcase_calendar", "HolidayDay").objects.all().delete()
    apps.get_model("lexcase_calendar", "HolidayYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("lexcase_calendar", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
