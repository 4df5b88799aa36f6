"""The portal's stored records."""

from portal.models.draft import Draft
from portal.models.outbox import OutboxMessage
from portal.models.report import Attachment, ReferenceCounter, Report

__all__ = ["Attachment", "Draft", "OutboxMessage", "ReferenceCounter", "Report"]
