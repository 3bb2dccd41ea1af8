from __future__ import annotations

from django.contrib.auth import get_user_model

from apps.core.demo import demo_secret

from .models import Customer

DEMO_CUSTOMERS = [
    {"username": "wei.zhang", "kind": Customer.Kind.INDIVIDUAL, "display_name": "Zhang Wei"},
    {"username": "li.na", "kind": Customer.Kind.INDIVIDUAL, "display_name": "Li Na"},
    {
        "username": "hangzhou.tea",
        "kind": Customer.Kind.BUSINESS,
        "display_name": "Hangzhou Tea Trading Co.",
        "legal_name": "杭州茶叶贸易有限公司",
        "registration_number": "91330100MA2B7Q4K0K",
    },
]


def seed(output: dict) -> None:
    User = get_user_model()
    for spec in DEMO_CUSTOMERS:
        password = "pass-" + demo_secret(f"customer:{spec['username']}", 10)
        user, created = User.objects.get_or_create(username=spec["username"])
        if created:  # never reset on a rerun: that would sign the customer out (see seed.py)
            user.set_password(password)
            user.save()
        customer, _ = Customer.objects.get_or_create(
            user=user,
            defaults={
                "kind": spec["kind"],
                "display_name": spec["display_name"],
                "legal_name": spec.get("legal_name", ""),
                "registration_number": spec.get("registration_number", ""),
                "kyc_status": Customer.KycStatus.VERIFIED,
            },
        )
        if customer.kyc_status != Customer.KycStatus.VERIFIED:
            # Borrowing and paying need a verified customer; the demo customers are.
            customer.kyc_status = Customer.KycStatus.VERIFIED
            customer.save(update_fields=["kyc_status"])
        output["customers"].append(
            {
                "id": customer.id, "username": user.username, "password": password, "kind": customer.kind,
                "display_name": customer.display_name, "accounts": [],
            }
        )
