"""How an officer may contact a resident without putting them at risk, from what the resident said.

A resident in danger may share an inbox or a phone with the person harming them: an email or a
call on a channel they said is unsafe can tell that person they reported. The case page shows
these instructions at its top, and nothing is offered on a channel the resident said is unsafe.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import Report


@dataclass(frozen=True)
class SafeContact:
    """The resident's contact details and what they said is safe, as the case page says them.

    Built from a report by ``for_report``. Each thing a report holds about safe contact is a field
    here, read in ``for_report`` and said in ``warnings`` or ``channels``:
    ``templates/officer/_safe_contact.html`` shows only what this gives it.
    """

    anonymous: bool
    email: str  # "" when none was given
    email_safe: bool  # what the resident said; counts only when an email was given
    phone: str  # "" when none was given
    phone_safe: bool
    call_times: str = ""  # the resident's safe times to phone, "" when none were given
    voicemail_ok: bool | None = None  # None: not asked (no phone, or phoning is not safe)
    text_ok: bool | None = None  # None: not asked (no phone number)
    alternative: str = ""  # a safe alternative contact, "" when none was given

    @classmethod
    def for_report(cls, report: Report) -> SafeContact:
        return cls(
            anonymous=report.anonymous,
            email="" if report.anonymous else (report.reporter_email or ""),
            email_safe=report.can_be_emailed,
            phone="" if report.anonymous else (report.reporter_phone or ""),
            phone_safe=report.can_be_phoned,
            call_times="" if report.anonymous else (report.safe_call_times or ""),
            voicemail_ok=None if report.anonymous else report.voicemail_ok,
            text_ok=None if report.anonymous else report.text_ok,
            alternative="" if report.anonymous else (report.safe_alternative_contact or ""),
        )

    @property
    def may_email(self) -> bool:
        """Whether anything may be emailed to the resident: an update, or a link."""
        return self.email_safe

    @property
    def may_phone(self) -> bool:
        return self.phone_safe

    @property
    def channels(self) -> list[str]:
        """The safe ways to contact the resident, each as the officer should use it."""
        safe = []
        if self.may_phone:
            safe.append(
                f"Phone {self.phone}"
                + (f" at these times only: {self.call_times}" if self.call_times else "")
            )
        if self.phone and self.text_ok:
            safe.append(f"Text {self.phone}")
        if self.may_email:
            safe.append(f"Email {self.email}")
        if self.alternative:
            safe.append(f"Safe alternative contact: {self.alternative}")
        return safe

    @property
    def warnings(self) -> list[str]:
        """What the officer must not do, in plain words, with the safe channel to use instead."""
        if self.anonymous:
            return ["The resident reported anonymously: there is no way to contact them."]
        instead = self._instead()
        said: list[str] = []
        if self.email and not self.may_email:
            said.append(f"Do not email this resident: they said email is not safe. {instead}")
        if self.phone and not self.may_phone:
            said.append(f"Do not phone this resident: they said phone calls are not safe. {instead}")
        if self.may_phone and self.voicemail_ok is False:
            said.append("Do not leave a voicemail: the resident said it is not safe.")
        elif self.may_phone and self.voicemail_ok is None:
            said.append("Do not leave a voicemail: the resident was not asked whether one is safe.")
        if self.phone and self.text_ok is False:
            said.append("Do not send a text message: the resident said it is not safe.")
        elif self.phone and self.text_ok is None:
            said.append("Do not send a text message: the resident was not asked whether one is safe.")
        if not self.email and not self.phone:
            said.append("The resident gave no email address or phone number.")
        return said

    def _instead(self) -> str:
        if self.may_phone:
            return "Phone them instead."
        if self.phone and self.text_ok:
            return "Text them instead."
        if self.may_email:
            return "Email them instead."
        if self.alternative:
            return "Use their safe alternative contact instead."
        return "They gave no channel that is safe: do not contact them unless they contact you."
