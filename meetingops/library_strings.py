"""Strings of the libraries we use that their own catalogues leave untranslated in
Simplified Chinese, so that our catalogue (locale/zh_Hans, which Django consults before
the libraries') translates them (X-2: every page complete in both languages).

`makemessages` extracts only from our code, and these strings are in the libraries':
they are listed here, marked with gettext_noop, so that they reach our catalogue. Nothing
imports this module; each string is exactly the library's msgid.

- django-filter ships zh_CN only, which Django never loads for zh-hans: its labels,
  help texts and errors show in the API's filter forms and error answers.
- django-celery-beat's zh_Hans leaves these fuzzy or empty (the scheduled jobs' admin).
"""

from django.utils.translation import gettext_noop

DJANGO_FILTER = (
    gettext_noop("Multiple values may be separated by commas."),
    gettext_noop("Range query expects two values."),
    gettext_noop("Select a lookup."),
    gettext_noop("Field filters"),
    gettext_noop("%s (descending)"),
    gettext_noop("Ordering"),
    gettext_noop("Any date"),
    gettext_noop("Past 7 days"),
    gettext_noop("This month"),
    gettext_noop("This year"),
    gettext_noop("This is an exclusion filter"),
    gettext_noop("exclude"),
    gettext_noop("Submit"),
    gettext_noop("contains"),
    gettext_noop("is in"),
    gettext_noop("is greater than"),
    gettext_noop("is greater than or equal to"),
    gettext_noop("is less than"),
    gettext_noop("is less than or equal to"),
    gettext_noop("starts with"),
    gettext_noop("ends with"),
    gettext_noop("is in range"),
    gettext_noop("is null"),
    gettext_noop("matches regex"),
    gettext_noop("is contained by"),
    gettext_noop("overlaps"),
    gettext_noop("has key"),
    gettext_noop("has keys"),
    gettext_noop("has any keys"),
)

DJANGO_CELERY_BEAT = (
    gettext_noop("Schedule"),
    gettext_noop("Arguments"),
    gettext_noop("Execution Options"),
    gettext_noop('task "{not_found_task_name}" not found'),
    gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")'),
    gettext_noop(
        'Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. '
        '(Example: "0,5")'
    ),
)
