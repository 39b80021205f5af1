from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from monitor.chat import DASHBOARD_ROOM
from monitor.views import host_grid


@login_required
def dashboard(request):
    config = {"sampleInterval": settings.SAMPLE_INTERVAL, "chatRoom": DASHBOARD_ROOM}
    return render(request, "dashboard.html", {"config": config, "hosts": host_grid()})
