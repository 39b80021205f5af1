"""Chat pages and admin: login required, room list, host rooms, history search, archiving."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from alerts.evaluator import Evaluator
from alerts.models import Alert
from chat.models import ChatMessage, ChatRoom
from core.contracts.metrics import AGENT_ALERT_METRICS
from monitor.models import Host
from tests.alerts.test_alerts import fire, make_rule


@pytest.fixture
def client_of(transactional_db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def test_chat_pages_need_a_login(alice):  # an account exists: no first-run setup
    for url in ("/chat/", "/chat/ops/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_room_list_counts_messages_and_links_rooms(alice, client_of):
    room = ChatRoom.objects.create(name="值班室")
    ChatMessage.objects.create(room=room, author=alice, text="hi")
    ChatRoom.objects.create(name="old", archived=True)
    page = client_of(alice).get("/chat/").content.decode()
    assert 'href="/chat/%E5%80%BC%E7%8F%AD%E5%AE%A4/"' in page
    assert "(archived)" in page


def test_open_room_form_redirects_and_refuses_unusable_names(alice, client_of):
    client = client_of(alice)
    response = client.get("/chat/", {"room": " db incident "})
    assert response.status_code == 302
    assert response.url == "/chat/db%20incident/"
    bad = client.get("/chat/", {"room": "a" * 101})
    assert bad.status_code == 400
    assert b"at most 100 characters" in bad.content


def test_a_host_page_links_its_room_and_the_room_names_its_host(alice, client_of):
    host = Host.objects.create(name="<edge>", address="127.0.0.1")
    client = client_of(alice)
    assert f'href="/chat/host-{host.pk}/"' in client.get(f"/hosts/{host.pk}/").content.decode()
    room_page = client.get(f"/chat/host-{host.pk}/").content.decode()
    assert f'about host <a href="/hosts/{host.pk}/">&lt;edge&gt;</a>' in room_page


def test_the_dashboard_has_a_chat_panel(alice, client_of):
    page = client_of(alice).get("/").content.decode()
    assert 'id="dashboard-chat-panel"' in page
    assert 'href="/chat/ops/"' in page


def test_chat_history_is_searchable_and_rooms_archivable_in_admin(alice, client_of):
    root = get_user_model().objects.create_superuser("root", password="pw-for-tests-only")
    room = ChatRoom.objects.create(name="incident")
    ChatMessage.objects.create(room=room, author=alice, text="disk full on db-1")
    ChatMessage.objects.create(room=room, author=alice, text="lunch?")
    client = client_of(root)
    page = client.get("/admin/chat/chatmessage/", {"q": "disk"}).content.decode()
    assert "disk full on db-1" in page
    assert "lunch?" not in page
    response = client.post("/admin/chat/chatroom/", {"action": "archive", "_selected_action": [room.pk]}, follow=True)
    assert "1 rooms archived." in response.content.decode()
    room.refresh_from_db()
    assert room.archived


def test_each_alert_has_a_room_linked_from_the_alert_history(alice, client_of):
    make_rule(alice, name="cpu <high>")
    fire(Evaluator(AGENT_ALERT_METRICS), "agent:web-1", 99)
    alert = Alert.objects.get()
    client = client_of(alice)
    assert f'href="/chat/alert-{alert.pk}/"' in client.get("/alerts/").content.decode()
    room_page = client.get(f"/chat/alert-{alert.pk}/").content.decode()
    assert "about alert" in room_page
    assert "cpu &lt;high&gt; on web-1" in room_page
