"""Back-office accounts: who may sign in, how, and what each role may do.

The rules live here, not in views or commands: ``users`` (creating, disabling, signing in),
``passwords``, ``two_factor``, ``roles`` (roles and permissions as data) and ``rules`` (what
every account request is held to). Roles and permissions are imported from ``roles`` itself, the
one place they are defined.
"""

from __future__ import annotations

from portal.accounts.passwords import change_password, reset_password, set_first_password
from portal.accounts.rules import AccountError, account_key, common_passwords, one_time_password
from portal.accounts.two_factor import (
    confirm_two_factor,
    enrolment_secret,
    reset_two_factor,
    start_enrolment,
    two_factor_uri,
    verify_two_factor,
)
from portal.accounts.users import (
    all_users,
    authenticate,
    create_user,
    disable_user,
    enable_user,
    find_user,
    retire_user,
    sign_out_everywhere,
)

__all__ = [
    "AccountError",
    "account_key",
    "all_users",
    "authenticate",
    "change_password",
    "common_passwords",
    "confirm_two_factor",
    "create_user",
    "disable_user",
    "enable_user",
    "enrolment_secret",
    "find_user",
    "one_time_password",
    "reset_password",
    "reset_two_factor",
    "retire_user",
    "set_first_password",
    "sign_out_everywhere",
    "start_enrolment",
    "two_factor_uri",
    "verify_two_factor",
]
