"""Email: every message goes through the outbox (``queue_email``), then ``deliver`` sends it."""

from portal.mail.outbox import DeliveryReport, deliver, deliver_after_commit, queue_email

__all__ = ["DeliveryReport", "deliver", "deliver_after_commit", "queue_email"]
