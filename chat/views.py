from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from alerts import visibility
from alerts.models import Alert
from chat import presence, rooms
from chat.models import ChatRoom
from core.contracts.groups import room_subject
from monitor.models import Host


@login_required
def chat_index(request):
    if "room" in request.GET:  # the "open a room" form
        try:
            name = rooms.clean_room_name(request.GET["room"])
        except ValueError as exc:
            return HttpResponseBadRequest(f"Room name not usable: {exc}")
        return redirect(reverse("chat_room", args=[name]))
    listed = list(
        ChatRoom.objects.annotate(
            message_count=Count("messages"), last_message_at=Max("messages__created_at")
        ).order_by("archived", "-last_message_at", "name")
    )
    listed = rooms.visible_rooms(listed, request.user)
    counts = presence.member_counts([room.pk for room in listed])
    for room in listed:
        room.member_count = counts[room.pk]
    return render(request, "chat.html", {"rooms": listed})


@login_required
def chat_room(request, room: str):
    try:
        name = rooms.clean_room_name(room)
    except ValueError as exc:
        return HttpResponseBadRequest(f"Room name not usable: {exc}")
    host = alert = None
    kind, object_id = room_subject(name)
    if kind == "host":
        host = Host.objects.filter(pk=object_id).first()
    elif kind == "alert":
        if not visibility.may_see_alert(request.user, object_id):
            raise Http404("No such alert among yours.")
        alert = Alert.objects.filter(pk=object_id).select_related("rule").first()
    context = {"room": name, "host": host, "alert": alert, "config": {"room": name}}
    return render(request, "chat_room.html", context)
