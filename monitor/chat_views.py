import re

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from monitor import chat
from monitor.models import Alert, ChatRoom, Host

HOST_ROOM = re.compile(r"^host-(\d+)$")
ALERT_ROOM = re.compile(r"^alert-(\d+)$")


@login_required
def chat_index(request):
    if "room" in request.GET:  # the "open a room" form
        try:
            name = chat.clean_room_name(request.GET["room"])
        except ValueError as exc:
            return HttpResponseBadRequest(f"Room name not usable: {exc}")
        return redirect(reverse("chat_room", args=[name]))
    rooms = list(
        ChatRoom.objects.annotate(
            message_count=Count("messages"), last_message_at=Max("messages__created_at")
        ).order_by("archived", "-last_message_at", "name")
    )
    counts = chat.member_counts([room.pk for room in rooms])
    for room in rooms:
        room.member_count = counts[room.pk]
    return render(request, "chat.html", {"rooms": rooms})


@login_required
def chat_room(request, room: str):
    try:
        name = chat.clean_room_name(room)
    except ValueError as exc:
        return HttpResponseBadRequest(f"Room name not usable: {exc}")
    host = alert = None
    if match := HOST_ROOM.match(name):
        host = Host.objects.filter(pk=int(match[1])).first()
    elif match := ALERT_ROOM.match(name):
        alert = Alert.objects.filter(pk=int(match[1])).select_related("rule").first()
    context = {"room": name, "host": host, "alert": alert, "config": {"room": name}}
    return render(request, "chat_room.html", context)
