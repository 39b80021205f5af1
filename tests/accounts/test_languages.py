"""English and Simplified Chinese: the switch, the account's language, the script catalogue,
and alerts and notifications each in their recipient's language."""

from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from accounts.models import Preferences
from alerts import tasks
from alerts.evaluator import Evaluator
from alerts.models import AlertEvent, Notification, NotificationTarget
from core.contracts.metrics import AGENT_ALERT_METRICS
from tests import targets
from tests.alerts.test_alerts import alert_socket, fire, make_rule
from tests.waits import EVENT_TIMEOUT_S

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


def chinese(user) -> None:
    Preferences.objects.update_or_create(user=user, defaults={"language": "zh-hans"})


def test_a_page_follows_accept_language_and_the_html_says_which(alice):
    client = Client()
    client.force_login(alice)
    english = client.get("/alerts/").content.decode()
    assert '<html lang="en"' in english
    assert '<h1 class="page-title">Alerts</h1>' in english
    page = client.get("/alerts/", **CHINESE).content.decode()
    assert '<html lang="zh-Hans"' in page
    assert '<h1 class="page-title">告警</h1>' in page
    assert '<script src="/i18n/catalogue/zh-hans.js">' in page
    assert 'lang="en" class="link">English</button>' in page  # the switch offers the other language


def test_the_switch_sets_the_cookie_and_the_accounts_language(alice):
    client = Client()
    client.force_login(alice)
    response = client.post("/i18n/language/", {"language": "zh-hans", "next": "/alerts/"})
    assert (response.status_code, response["Location"]) == (302, "/alerts/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert Preferences.objects.get(user=alice).language == "zh-hans"
    # The account's language beats the browser's.
    fresh = Client()
    fresh.force_login(alice)
    assert '<h1 class="page-title">告警</h1>' in fresh.get("/alerts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    refused = client.post("/i18n/language/", {"language": "xx", "next": "https://elsewhere.example/"})
    assert (refused.status_code, refused["Location"]) == (302, "/")  # never off-site, language unchanged
    assert Preferences.objects.get(user=alice).language == "zh-hans"


def test_the_profile_saves_a_language_and_refuses_an_unknown_one(alice):
    client = Client()
    client.force_login(alice)
    assert client.post("/accounts/profile/preferences/", {"time_zone": "", "language": "zh-hans"}).status_code == 302
    assert "偏好设置已保存。" in client.get("/accounts/profile/").content.decode()
    refused = client.post("/accounts/profile/preferences/", {"time_zone": "", "language": "klingon"})
    assert refused.status_code == 400
    assert "klingon" in refused.content.decode()
    assert Preferences.objects.get(user=alice).language == "zh-hans"


def test_logging_in_from_a_chinese_browser_gives_the_account_chinese(alice):
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": "correct horse battery"}, **CHINESE)
    assert response.status_code == 302
    assert Preferences.objects.get(user=alice).language == "zh-hans"


def test_the_script_catalogue_is_per_language_and_cacheable(db):
    response = Client().get("/i18n/catalogue/zh-hans.js")
    body = response.content.decode()
    assert response.status_code == 200
    assert '"Acknowledge": "\\u786e\\u8ba4"' in body or '"Acknowledge": "确认"' in body
    assert "public" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]
    english = Client().get("/i18n/catalogue/en.js", **CHINESE).content.decode()
    assert "\\u786e\\u8ba4" not in english  # the address decides, not the header
    assert "确认" not in english
    assert Client().get("/i18n/catalogue/fr.js").status_code == 404


async def test_each_recipient_gets_an_alert_in_their_own_language(alice, bob):
    await database_sync_to_async(chinese)(bob)
    await database_sync_to_async(make_rule)(alice, bob, name="cpu high")
    a, b = await alert_socket(alice), await alert_socket(bob)
    assert (await a.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "alerts"
    assert (await b.receive_json_from(timeout=EVENT_TIMEOUT_S))["type"] == "alerts"
    await database_sync_to_async(fire)(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 75)
    english, chinese_frame = (
        await a.receive_json_from(timeout=EVENT_TIMEOUT_S),
        await b.receive_json_from(timeout=EVENT_TIMEOUT_S),
    )
    assert english["alert"]["message"] == "[Warning] cpu high FIRING on web-1: CPU % (agent) = 75"
    assert chinese_frame["alert"]["message"] == "[警告] cpu high 在 web-1 上触发：CPU %（代理） = 75"
    # The stored event keeps the product's language, for the API and exports.
    event = await database_sync_to_async(AlertEvent.objects.get)()
    assert event.message == english["alert"]["message"]

    await b.send_json_to({"type": "ack", "id": chinese_frame["alert"]["id"]})
    acknowledged = await a.receive_json_from(timeout=EVENT_TIMEOUT_S)
    assert acknowledged["alert"]["message"] == "cpu high on web-1 acknowledged by bob"
    assert (await b.receive_json_from(timeout=EVENT_TIMEOUT_S))["alert"][
        "message"
    ] == "web-1 上的 cpu high 已由 bob 确认"
    # On reconnect the open alert is listed in the reader's language too.
    again = await alert_socket(bob)
    [listed] = (await again.receive_json_from(timeout=EVENT_TIMEOUT_S))["alerts"]
    assert listed["message"].startswith("[警告] cpu high 在 web-1 上触发")
    for communicator in (a, b, again):
        await communicator.disconnect()


def test_a_notification_is_written_in_its_recipients_language(alice, bob):
    chinese(bob)
    make_rule(alice, bob)
    with targets.webhook_receiver() as (url, received):
        for user in (alice, bob):
            NotificationTarget.objects.create(user=user, url=url)
        fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 90)
        for notification in Notification.objects.order_by("target__user__username"):
            tasks.send_notification(notification.pk)
        titles = sorted(received.get(timeout=EVENT_TIMEOUT_S)["title"] for _ in range(2))
    assert titles == [
        "[Warning] cpu high FIRING on web-1: CPU % (agent) = 90",
        "[警告] cpu high 在 web-1 上触发：CPU %（代理） = 90",
    ]
