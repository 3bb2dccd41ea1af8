"""The consent-page fixtures of test_authorize, shared with the other OAuth test modules."""
from .test_authorize import accounts, app, browser, customer  # noqa: F401
