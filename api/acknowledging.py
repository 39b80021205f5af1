"""POST /api/alerts/<id>/acknowledge/: acknowledging from a script or another tool, as from the bell.

It stops the alert's escalation and tells every recipient at once (alerts.recording).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import recording
from alerts.recording import ACKNOWLEDGE_PERMISSION
from api.auth import HasPermission


class AcknowledgeAlertView(APIView):
    permission_classes = [HasPermission.of(ACKNOWLEDGE_PERMISSION)]

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def post(self, request, alert_id: int):
        """Acknowledge a firing alert of yours (the operator role)."""
        try:
            recording.acknowledge(alert_id, request.user)
        except recording.NotYours as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_404_NOT_FOUND)
        return Response({"id": alert_id, "acknowledged_by": request.user.get_username()})
