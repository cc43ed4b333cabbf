# A date or time a template shows without a filter reads as the app's filters
# write it (tracker/formats.py): 1 May 2017, and 1 May 2017 at 15:15.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y \a\t H:i"
SHORT_DATETIME_FORMAT = r"j F Y \a\t H:i"
