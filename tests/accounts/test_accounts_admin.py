"""Staff see accounts with their ledger balance, freeze and unfreeze them (audited); payments and the books are read-only."""
from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model

from apps.accounts.models import DepositAccount
from apps.accounts.services import deposit_account_freeze, deposit_account_unfreeze
from apps.core.actors import Actor
from apps.core.errors import Forbidden
from apps.ledger.models import JournalEntry
from tests.factories import make_account, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():  # type: ignore[no-untyped-def]
    return make_account(make_customer("carol"), balance_minor=654_321)


def test_the_account_list_shows_the_ledger_balance_and_searches_by_number_and_customer(admin_client, account) -> None:
    page = admin_client.get("/admin/accounts/depositaccount/", {"q": account.account_number}).content.decode()
    assert account.id in page and "6,543.21 CNY" in page
    by_customer = admin_client.get("/admin/accounts/depositaccount/", {"q": account.customer_id}).content.decode()
    assert account.id in by_customer
    miss = admin_client.get("/admin/accounts/depositaccount/", {"q": "no-such-number"}).content.decode()
    assert account.id not in miss


def test_freeze_and_unfreeze_actions_change_the_status_and_are_logged(admin_client, admin_user, account) -> None:
    url = "/admin/accounts/depositaccount/"
    response = admin_client.post(url, {"action": "freeze", "_selected_action": [account.pk]})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == DepositAccount.Status.FROZEN
    admin_client.post(url, {"action": "unfreeze", "_selected_action": [account.pk]})
    account.refresh_from_db()
    assert account.status == DepositAccount.Status.ACTIVE
    log = list(LogEntry.objects.filter(object_id=account.pk).order_by("pk").values_list("action_flag", "change_message", "user_id"))
    assert log == [(CHANGE, "Frozen", admin_user.pk), (CHANGE, "Unfrozen", admin_user.pk)]


def test_freezing_is_for_staff_only(account) -> None:
    customer_user = account.customer.user
    with pytest.raises(Forbidden):
        deposit_account_freeze(account_id=account.id, actor=Actor.staff(customer_user))
    with pytest.raises(Forbidden):
        deposit_account_freeze(account_id=account.id, actor=None)
    account.refresh_from_db()
    assert account.status == DepositAccount.Status.ACTIVE


def test_a_closed_account_cannot_be_unfrozen_into_use(admin_user, account) -> None:
    DepositAccount.objects.filter(pk=account.pk).update(status=DepositAccount.Status.CLOSED)
    with pytest.raises(Exception) as caught:
        deposit_account_unfreeze(account_id=account.id, actor=Actor.staff(admin_user))
    assert getattr(caught.value, "code", "") == "account_status_conflict"


def test_no_one_adds_or_deletes_accounts_and_the_books_are_read_only(admin_client, account) -> None:
    assert admin_client.get("/admin/accounts/depositaccount/add/").status_code == 403
    assert admin_client.get(f"/admin/accounts/depositaccount/{account.pk}/delete/").status_code == 403
    entry = JournalEntry.objects.latest("pk")
    detail = admin_client.get(f"/admin/ledger/journalentry/{entry.pk}/change/")
    assert detail.status_code == 200 and "6,543.21 CNY" in detail.content.decode()  # postings inline
    assert admin_client.post(f"/admin/ledger/journalentry/{entry.pk}/change/", {"kind": "x"}).status_code == 403
    assert admin_client.get("/admin/ledger/journalentry/add/").status_code == 403
    assert admin_client.get(f"/admin/ledger/journalentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/ledger/ledgeraccount/add/").status_code == 403
    assert admin_client.get("/admin/accounts/payment/add/").status_code == 403
    ledger_list = admin_client.get("/admin/ledger/ledgeraccount/").content.decode()
    assert f"deposit:{account.id}" in ledger_list


def test_a_non_staff_user_cannot_reach_the_admin(client, account) -> None:
    user = get_user_model().objects.create_user("nobody", password="pw-123456789")
    client.force_login(user)
    assert client.get("/admin/accounts/depositaccount/").status_code == 302


def test_payments_are_listed_read_only(admin_client, account) -> None:
    from apps.accounts.services import payment_create
    from apps.core.money import Money
    from tests.factories import payment_token

    creditor = make_account(make_customer("dave"))
    token = payment_token(account.customer, debtor=account, creditor_account_number=creditor.account_number, amount_minor=4_200)
    payment = payment_create(actor=Actor.system("tests"), consent_id=token.consent.id, application_id=token.application.pk, customer_id=account.customer_id,
                             amount=Money(4_200, "CNY"), creditor_account_number=creditor.account_number)
    listing = admin_client.get("/admin/accounts/payment/").content.decode()
    assert payment.id in listing and "42.00 CNY" in listing
    detail = admin_client.get(f"/admin/accounts/payment/{payment.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client.get(f"/admin/accounts/payment/{payment.pk}/delete/").status_code == 403
