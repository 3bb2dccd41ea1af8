"""Strings the bank's customers see that come from data or libraries, not from our templates.

Never imported: `manage.py makemessages` reads this file so that these msgids stay in
locale/zh_Hans/LC_MESSAGES/django.po. The templates translate them at render time with
`{% translate value %}` (a known value gets its translation; anything else shows as is).
"""
from django.utils.translation import gettext_noop

# Names the seed (apps/accounts/demo.py) and the test factories give deposit accounts.
ACCOUNT_NAMES = [
    gettext_noop("Everyday account"),
    gettext_noop("Everyday"),
    gettext_noop("Savings"),
]

# oauthlib's descriptions of a fatal authorization error, shown on "This sign-in link is not valid".
OAUTHLIB_ERRORS = [
    gettext_noop("Invalid redirect URI."),
    gettext_noop("Missing redirect URI."),
    gettext_noop("Mismatching redirect URI."),
    gettext_noop("Invalid client_id parameter value."),
    gettext_noop("Missing client_id parameter."),
    gettext_noop("Missing response_type parameter."),
    gettext_noop("Code challenge required."),
    gettext_noop("invalid_request"),
    gettext_noop("invalid_client"),
    gettext_noop("unauthorized_client"),
]
