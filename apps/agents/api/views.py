from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.agents.api.serializers import AgentMeOutput
from apps.core.actor import actor_from_request


class AgentMeView(APIView):
    """``GET /api/agent/me``: lets an agent (or a script) check its credentials and see who it acts as."""

    @extend_schema(
        operation_id="agent_me",
        responses={
            200: AgentMeOutput,
            401: OpenApiResponse(description="Missing, invalid or expired access token"),
            403: OpenApiResponse(description="Agent deactivated or secret revoked"),
        },
    )
    def get(self, request: Request) -> Response:
        actor = actor_from_request(request)
        body = {"agent": actor.agent, "user": actor.user, "organization": actor.organization}
        return Response(AgentMeOutput(body).data)
