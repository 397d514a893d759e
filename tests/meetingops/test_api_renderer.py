"""The API's JSON renderer (orjson) writes what DRF's would: UTF-8 text, lazy
translations as text, an indented answer when a client asks for one."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy, override
from rest_framework.renderers import JSONRenderer

from meetingops.api import FastJSONRenderer, RawJSON
from tests.conftest import api_client
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_lazy_translations_and_decimals_are_written_as_drf_writes_them():
    data = {"detail": gettext_lazy("Give the meeting a topic."), "hours": decimal.Decimal("1.50")}
    with override("zh-hans"):
        ours, drfs = FastJSONRenderer().render(data), JSONRenderer().render(data)

    assert json.loads(ours) == json.loads(drfs) == {"detail": "请填写会议主题。", "hours": 1.5}


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 9, 0, 0, 250, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
        dt.datetime(2026, 7, 1, 3, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
    ],
)
def test_datetimes_are_written_as_drf_writes_them(moment):
    data = {"at": moment}

    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_a_client_gets_compact_utf8_json_or_indented_json_when_it_asks():
    RoomFactory(name="腾讯会议 A")
    client = api_client(UserFactory())

    compact = client.get("/api/v1/rooms/", HTTP_ACCEPT="application/json")
    indented = client.get("/api/v1/rooms/", HTTP_ACCEPT="application/json; indent=2")

    assert "腾讯会议 A".encode() in compact.content
    assert b"\n" not in compact.content
    assert indented.content.startswith(b"[\n  {")
    assert json.loads(compact.content) == json.loads(indented.content)


def test_json_already_written_goes_in_as_it_is_compact_indented_or_browsable():
    data = {"start": "2026-12-07", "rooms": RawJSON('[{"name":"腾讯会议 A","occurrences":[]}]')}
    expected = {"start": "2026-12-07", "rooms": [{"name": "腾讯会议 A", "occurrences": []}]}

    compact = FastJSONRenderer().render(data)
    indented = FastJSONRenderer().render(data, "application/json; indent=2")

    assert (
        compact
        == '{"start":"2026-12-07","rooms":[{"name":"腾讯会议 A","occurrences":[]}]}'.encode()
    )
    assert json.loads(indented) == expected
    assert indented.startswith(b"{\n  ")


def test_the_week_reads_the_same_compact_indented_and_in_the_browsable_api():
    RoomFactory(name="腾讯会议 A")
    client = api_client(UserFactory())
    week = "/api/v1/availability/week/?start=2026-12-07"

    compact = client.get(week, HTTP_ACCEPT="application/json")
    indented = client.get(week, HTTP_ACCEPT="application/json; indent=2")
    page = client.get(week, HTTP_ACCEPT="text/html")

    assert json.loads(compact.content) == json.loads(indented.content)
    assert json.loads(compact.content)["rooms"][0]["name"] == "腾讯会议 A"
    assert page.status_code == 200
    assert "腾讯会议 A" in page.content.decode()
