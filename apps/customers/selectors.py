from __future__ import annotations

from .models import Customer


def customer_id_for_user(*, user_id: int) -> str | None:
    return Customer.objects.filter(user_id=user_id).values_list("id", flat=True).first()
