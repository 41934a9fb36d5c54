"""What a manager changes often at their sites, between loads of the site-configuration file: a service's
target wait and whether it takes tickets, and which services a counter serves (in its order of
preference).

Each setting has one owner. A setting changed here becomes the page's (``page_owned``, named by its key in
the file: ``target_wait_minutes``, ``open``, ``services``): ``luot config load`` leaves it and says so, until
``luot config load --take-back`` gives it back to the file (:mod:`.config_file`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ...db.models import Counter, CounterService, Service, Site
from ...db.repositories import Repositories
from ...domain.access import Principal
from ...domain.errors import N_, InvalidValue, NotFound
from ...domain.events import CounterChanged
from ..audit import record_action
from ..core.idempotency import retry_on_race
from ..core.lookups import get_counter, get_site
from ..core.unit_of_work import UnitOfWork
from ..queue.state import QueueState, current_tickets

MAX_TARGET_MINUTES = 600


@dataclass(frozen=True)
class ServiceSettings:
    id: int
    code: str
    name: str
    target_wait_minutes: int
    is_open: bool
    page_owned: tuple[str, ...] = ()  # set here: the configuration file does not change them


@dataclass(frozen=True)
class CounterSettings:
    id: int
    code: str
    number: int
    name: str
    service_ids: tuple[int, ...]
    page_owned: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteSettings:
    site_id: int
    services: tuple[ServiceSettings, ...]
    counters: tuple[CounterSettings, ...]


@dataclass(frozen=True, kw_only=True)
class UpdateService:
    actor: Principal
    service_id: int
    target_wait_minutes: int | None = None
    is_open: bool | None = None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class SetCounterServices:
    actor: Principal
    counter_id: int
    service_ids: tuple[int, ...]
    at: datetime


def _service(service: Service) -> ServiceSettings:
    return ServiceSettings(
        service.id,
        service.code,
        service.name,
        service.target_wait_minutes,
        service.is_open,
        tuple(service.page_owned or ()),
    )


def _counter(counter: Counter) -> CounterSettings:
    return CounterSettings(
        counter.id,
        counter.code,
        counter.number,
        counter.name,
        tuple(counter.service_ids),
        tuple(counter.page_owned or ()),
    )


def _owned(owned: list[str] | None, *keys: str) -> list[str]:
    """``owned`` with ``keys`` added (a new list, so that the JSON column sees the change)."""
    result = list(owned or [])
    result += [key for key in keys if key not in result]
    return sorted(result)


def site_settings(session: Session, actor: Principal, site_id: int) -> SiteSettings:
    """A site's services and counters as the manager's settings screen shows them."""
    site = get_site(Repositories(session).sites, site_id)
    actor.require(actor.can_manage(site.id))
    return _settings(site)


def _settings(site: Site) -> SiteSettings:
    return SiteSettings(
        site_id=site.id,
        services=tuple(_service(s) for s in site.services),
        counters=tuple(_counter(c) for c in site.counters),
    )


def _publish_queue(uow: UnitOfWork, site: Site, at: datetime) -> QueueState:
    state = QueueState.load(uow, site, at)
    uow.emit(state.queue_changed(at))
    return state


@retry_on_race
def update_service(cmd: UpdateService, uow: UnitOfWork) -> ServiceSettings:
    """Change a service's target wait and/or open state (managers and admins of its site)."""
    if cmd.target_wait_minutes is not None and not 1 <= cmd.target_wait_minutes <= MAX_TARGET_MINUTES:
        raise InvalidValue(N_("The target wait must be between 1 and 600 minutes."), code="bad_target")
    with uow:
        session = uow.session
        service = session.get(Service, cmd.service_id)
        if service is None:
            raise NotFound(N_("There is no such service."))
        cmd.actor.require(cmd.actor.can_manage(service.site_id))
        changed = []  # only what this change sets to a new value becomes the page's
        if cmd.target_wait_minutes is not None and cmd.target_wait_minutes != service.target_wait_minutes:
            service.target_wait_minutes = cmd.target_wait_minutes
            changed.append("target_wait_minutes")
        if cmd.is_open is not None and cmd.is_open != service.is_open:
            service.is_open = cmd.is_open
            changed.append("open")
        if changed:
            service.page_owned = _owned(service.page_owned, *changed)
            record_action(
                session,
                cmd.actor,
                "service_changed",
                cmd.at,
                service.site_id,
                service=service.code,
                target_wait_minutes=service.target_wait_minutes,
                open=service.is_open,
                changed=changed,
            )
        session.flush()
        _publish_queue(uow, service.site, cmd.at)
        uow.commit()
        return _service(service)


@retry_on_race
def set_counter_services(cmd: SetCounterServices, uow: UnitOfWork) -> CounterSettings:
    """Set the services a counter serves, in its order of preference (services of the counter's site)."""
    if not cmd.service_ids or len(set(cmd.service_ids)) != len(cmd.service_ids):
        raise InvalidValue(N_("Choose one or more services, each once."), code="bad_services")
    with uow:
        session = uow.session
        counter = get_counter(uow.sites, cmd.counter_id)
        cmd.actor.require(cmd.actor.can_manage(counter.site_id))
        site = counter.site
        known = {s.id for s in site.services}
        if not set(cmd.service_ids) <= known:
            raise InvalidValue(N_("Choose services of this intake point."), code="bad_services")
        if list(cmd.service_ids) != counter.service_ids:
            counter.page_owned = _owned(counter.page_owned, "services")
            codes = {s.id: s.code for s in site.services}
            record_action(
                session,
                cmd.actor,
                "counter_services_changed",
                cmd.at,
                site.id,
                counter=counter.code,
                services=[codes[sid] for sid in cmd.service_ids],
            )
        counter.links = [
            CounterService(service_id=service_id, position=position)
            for position, service_id in enumerate(cmd.service_ids)
        ]
        session.flush()
        session.refresh(counter, ["links"])
        state = _publish_queue(uow, site, cmd.at)
        info = state.counter_state(counter, current_tickets(uow, [counter]))
        uow.emit(CounterChanged(site_id=site.id, counter=info, at=cmd.at))
        uow.commit()
        return _counter(counter)
