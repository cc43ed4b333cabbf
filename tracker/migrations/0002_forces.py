"""The 43 territorial police forces of England and Wales, shipped as data."""

from django.db import migrations
from django.utils.text import slugify

# (name, short name, code used in finding references)
FORCES = [
    ("Avon and Somerset Constabulary", "Avon and Somerset", "ASC"),
    ("Bedfordshire Police", "Bedfordshire", "BDP"),
    ("Cambridgeshire Constabulary", "Cambridgeshire", "CAM"),
    ("Cheshire Constabulary", "Cheshire", "CHE"),
    ("City of London Police", "City of London", "COL"),
    ("Cleveland Police", "Cleveland", "CLE"),
    ("Cumbria Constabulary", "Cumbria", "CUM"),
    ("Derbyshire Constabulary", "Derbyshire", "DER"),
    ("Devon and Cornwall Police", "Devon and Cornwall", "DCP"),
    ("Dorset Police", "Dorset", "DOR"),
    ("Durham Constabulary", "Durham", "DUR"),
    ("Dyfed-Powys Police", "Dyfed-Powys", "DPP"),
    ("Essex Police", "Essex", "ESX"),
    ("Gloucestershire Constabulary", "Gloucestershire", "GLO"),
    ("Greater Manchester Police", "Greater Manchester", "GMP"),
    ("Gwent Police", "Gwent", "GWE"),
    ("Hampshire and Isle of Wight Constabulary", "Hampshire", "HAM"),
    ("Hertfordshire Constabulary", "Hertfordshire", "HER"),
    ("Humberside Police", "Humberside", "HUM"),
    ("Kent Police", "Kent", "KEN"),
    ("Lancashire Constabulary", "Lancashire", "LAN"),
    ("Leicestershire Police", "Leicestershire", "LEI"),
    ("Lincolnshire Police", "Lincolnshire", "LIN"),
    ("Merseyside Police", "Merseyside", "MER"),
    ("Metropolitan Police Service", "Metropolitan", "MPS"),
    ("Norfolk Constabulary", "Norfolk", "NOR"),
    ("North Wales Police", "North Wales", "NWP"),
    ("North Yorkshire Police", "North Yorkshire", "NYP"),
    ("Northamptonshire Police", "Northamptonshire", "NTH"),
    ("Northumbria Police", "Northumbria", "NBR"),
    ("Nottinghamshire Police", "Nottinghamshire", "NOT"),
    ("South Wales Police", "South Wales", "SWP"),
    ("South Yorkshire Police", "South Yorkshire", "SYP"),
    ("Staffordshire Police", "Staffordshire", "STA"),
    ("Suffolk Constabulary", "Suffolk", "SUF"),
    ("Surrey Police", "Surrey", "SUR"),
    ("Sussex Police", "Sussex", "SUS"),
    ("Thames Valley Police", "Thames Valley", "TVP"),
    ("Warwickshire Police", "Warwickshire", "WAR"),
    ("West Mercia Police", "West Mercia", "WMP"),
    ("West Midlands Police", "West Midlands", "WMD"),
    ("West Yorkshire Police", "West Yorkshire", "WYP"),
    ("Wiltshire Police", "Wiltshire", "WIL"),
]


def add_forces(apps, schema_editor):
    Force = apps.get_model("tracker", "Force")
    for name, short_name, code in FORCES:
        Force.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name, "slug": slugify(short_name)}
        )


def remove_forces(apps, schema_editor):
    apps.get_model("tracker", "Force").objects.filter(code__in=[f[2] for f in FORCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial")]

    operations = [migrations.RunPython(add_forces, remove_forces)]
