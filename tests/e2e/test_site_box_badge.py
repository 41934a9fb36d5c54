"""The manager's live view tells how a site served by its own box stands: connected, behind by N records,
or last seen at a time; a site without a box shows nothing of the kind."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from server.services.site_boxes import links, upstream
from tests.conftest import PASSWORD, LiveServer, World


def test_the_live_view_shows_where_a_site_box_stands(
    world: World, live_server: LiveServer, new_page: Any
) -> None:
    luot = world.luot
    link = links.add_link(luot.uow(), "CH", luot.now())
    upstream.seen(luot.uow(), _link_id(world, link.site_id), box_seq=3, box_changes=3, at=luot.now())
    world.staff("manager", sites=("CB", "CH"), username="hoa")
    page = new_page(1440, 900)
    page.goto(f"{live_server.url}/manage")
    page.fill("#signin-form [name=username]", "hoa")
    page.fill("#signin-form [name=password]", PASSWORD)
    page.click("#signin-form [type=submit]")
    cat_hai = page.locator(".site-card[data-site-code=CH]")
    expect(cat_hai.locator(".sync-pill")).to_have_attribute("data-sync", "behind")
    expect(cat_hai.locator(".sync-pill")).to_have_text("Máy chủ tại điểm: còn 3 bản ghi chưa đồng bộ")
    expect(page.locator(".site-card[data-site-code=CB] .site-head h2")).to_be_visible()
    expect(page.locator(".site-card[data-site-code=CB] .sync-pill")).to_have_count(0)


def _link_id(world: World, site_id: int) -> int:
    import sqlalchemy as sa

    from server.db.models import SiteBoxLink

    with world.luot.read() as session:
        return int(session.scalar(sa.select(SiteBoxLink.id).where(SiteBoxLink.site_id == site_id)))
