"""Email: every message goes through the outbox (``queue_email``); the mail worker sends it."""

from portal.mail.outbox import DeliveryReport, deliver, queue_email

__all__ = ["DeliveryReport", "deliver", "queue_email"]
