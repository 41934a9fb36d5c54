"""Who may do what: roles, device kinds and the checks every use case makes.

- ``admin`` — everything, on every site;
- ``manager`` — reads all of their sites, statistics and configuration of their sites, and may serve;
- ``clerk`` — serves at the counters of their sites;
- a kiosk device issues tickets and checks in appointments at its one site;
- a display device only listens to its one site;
- a rating pad (``rating``) is bound to one counter: it listens to that counter and rates only the tickets
  the counter completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import N_, Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CLERK = "clerk"


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    RATING = "rating"  # the satisfaction pad facing the citizen at one counter


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a staff user or an enrolled device."""

    user_id: int | None = None
    username: str | None = None
    role: Role | None = None
    site_ids: frozenset[int] = frozenset()
    device_id: int | None = None
    device_kind: DeviceKind | None = None
    token_id: int | None = None
    counter_id: int | None = None  # a rating pad's counter

    @property
    def is_staff(self) -> bool:
        return self.role is not None

    def has_site(self, site_id: int) -> bool:
        return self.role is Role.ADMIN or site_id in self.site_ids

    def can_serve(self, site_id: int) -> bool:
        return self.is_staff and self.has_site(site_id)

    def can_manage(self, site_id: int) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER) and self.has_site(site_id)

    def can_issue(self, site_id: int) -> bool:
        if self.device_kind is DeviceKind.KIOSK:
            return site_id in self.site_ids
        return self.can_serve(site_id)

    def can_listen(self, site_id: int) -> bool:
        return (self.device_kind is not None and site_id in self.site_ids) or self.can_serve(site_id)

    def can_rate_at(self, counter_id: int | None) -> bool:
        """A rating pad, for a ticket its own counter served."""
        return (
            self.device_kind is DeviceKind.RATING and counter_id is not None and counter_id == self.counter_id
        )

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise Forbidden(N_("You are not allowed to do this here."))


def staff(user_id: int, username: str, role: Role, site_ids: frozenset[int]) -> Principal:
    return Principal(user_id=user_id, username=username, role=role, site_ids=site_ids)


def device(device_id: int, kind: DeviceKind, site_id: int, counter_id: int | None = None) -> Principal:
    return Principal(
        device_id=device_id, device_kind=kind, site_ids=frozenset({site_id}), counter_id=counter_id
    )
