"""The browser side of OAuth for MCP clients: consent, dynamic registration and discovery metadata.

django-oauth-toolkit does the protocol (authorization code, PKCE, RFC 7591 registration, CIMD, RFC 8414
and RFC 9728 documents); these subclasses only narrow it to what Teeckin offers:

- one protected resource for browser-authorized clients, the MCP endpoint ``<origin>/mcp``: every
  authorization grant is bound to it (RFC 8707), whether or not the client named it;
- anonymous registration of public clients only (``token_endpoint_auth_method: none``, authorization
  code), with loopback or https redirect URIs (``Agent.clean``), counted per IP address;
- a consent page in the product's templates that names the person's organization.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.views import AuthorizationView
from oauth2_provider.views.dynamic_client_registration import (
    DynamicClientRegistrationManagementView,
    DynamicClientRegistrationView,
)
from oauth2_provider.views.metadata import OAuthProtectedResourceMetadataView, OAuthServerMetadataView
from oauthlib.oauth2.rfc6749.errors import CustomOAuth2Error

from apps.agents.models import Agent
from apps.agents.services import interactive_agent_consent
from apps.organizations.models import Membership
from apps.ratelimits.buckets import client_ip, count_in_bucket, rate_limit_state, rate_of
from apps.ratelimits.exceptions import rate_limited_response

MCP_PATH = "/mcp"
# What an access token for /mcp lets a client do, in the words of the consent page.
MCP_ABILITIES = ["list topics", "start and stop timers", "log time", "read your recent entries and totals"]
MCP_SCOPES = ["agent"]


def mcp_resource_url(request: HttpRequest) -> str:
    """The RFC 8707 resource identifier of this server's MCP endpoint, as clients address it."""
    return request.build_absolute_uri(MCP_PATH)


def canonical_resource(uri: str) -> str:
    """Compare resource URIs the way URLs compare: scheme and host case, default ports, a trailing slash."""
    parts = urlsplit(uri.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return uri
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def _invalid_target(resource: str, state: str | None, redirect_uri: str | None) -> OAuthToolkitError:
    return OAuthToolkitError(
        error=CustomOAuth2Error(
            error="invalid_target",
            description=f"Unknown resource '{resource}': tokens here are only for the MCP endpoint.",
            state=state,
        ),
        redirect_uri=redirect_uri,
    )


class ConsentView(AuthorizationView):
    """``/oauth/authorize/``: a logged-in person allows (or denies) an MCP client to act as them.

    Anonymous visitors go to the login page first (``LOGIN_URL``) and come back here. Deny sends the
    client ``error=access_denied``; Allow creates or reactivates the person's interactive agent for that
    client and sends it the code.
    """

    template_name = "agents/consent.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any(
            "\x00" in value for query in (request.GET, request.POST) for _, v in query.lists() for value in v
        ):
            # PostgreSQL refuses NUL in text and DOT would look the client up as given (a 500).
            return TemplateResponse(
                request,
                self.template_name,
                {"error": {"error": "invalid_request", "description": "Parameters must not contain NUL."}},
                status=400,
            )
        # An agent tracks time in an organization: a person in none cannot consent (checked after
        # LoginRequiredMixin has sent anonymous visitors to the login page).
        if request.user.is_authenticated and not Membership.objects.filter(user=request.user).exists():
            return TemplateResponse(request, "agents/consent_refused.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        for resource in request.GET.getlist("resource"):
            if canonical_resource(resource) != canonical_resource(mcp_resource_url(request)):
                try:
                    _, credentials = self.validate_authorization_request(request)
                except OAuthToolkitError as error:
                    return self.error_response(error, application=None)
                application = Agent.objects.get(client_id=credentials["client_id"])
                error = _invalid_target(resource, credentials.get("state"), credentials["redirect_uri"])
                return self.error_response(error, application)
        return super().get(request, *args, **kwargs)

    def error_response(self, error: Any, application: Any, **kwargs: Any) -> HttpResponse:
        # DOT passes no application for errors found while validating the request, and then redirects
        # only to the schemes in settings (https). oauthlib redirects only to the client's own registered
        # URI, so the client's schemes (a loopback http redirect) apply; DOT's deploy check keeps
        # ALLOWED_REDIRECT_URI_SCHEMES at https for everything else.
        if application is None:
            client_id = self.request.GET.get("client_id") or self.request.POST.get("client_id") or ""
            application = Agent.objects.filter(client_id=client_id).first()
        return super().error_response(error, application, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        membership = Membership.objects.select_related("organization").get(user=self.request.user)
        application = context.get("application")
        context["client_name"] = getattr(application, "name", "") or "An MCP client"
        context["organization"] = membership.organization
        context["abilities"] = MCP_ABILITIES
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        # Every grant is for the MCP endpoint (RFC 8707): a client that named no resource gets it, one
        # that named another is refused (the hidden field could have been edited since the GET).
        expected = mcp_resource_url(self.request)
        named = form.cleaned_data.get("resource", "").split()
        application = Agent.objects.filter(client_id=form.cleaned_data["client_id"]).first()
        for resource in named:
            if canonical_resource(resource) != canonical_resource(expected):
                # The posted redirect URI is only followed if it is the client's own (no open redirect).
                redirect_uri = form.cleaned_data["redirect_uri"]
                if application is None or not application.redirect_uri_allowed(redirect_uri):
                    redirect_uri = None
                error = _invalid_target(resource, form.cleaned_data.get("state"), redirect_uri)
                return self.error_response(error, application)
        form.cleaned_data["resource"] = " ".join(named) or expected
        self.success_url = None
        response = super().form_valid(form)
        # DOT sets success_url only once the code was issued (Deny and errors leave it unset).
        if self.success_url and application is not None:
            interactive_agent_consent(registration=application, user=self.request.user)
        return response


# --- Dynamic client registration (RFC 7591) -------------------------------------------------------------

REGISTRABLE_GRANT_TYPES = {"authorization_code", "refresh_token"}


def _registration_error(description: str) -> JsonResponse:
    return JsonResponse({"error": "invalid_client_metadata", "error_description": description}, status=400)


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def registration_metadata_problem(body: bytes) -> str | None:
    """Why this registration request is refused, or None. Anyone may register, so only what Claude Code
    and its peers need is accepted: a public client using the authorization code. Redirect URIs are
    checked by ``Agent.clean`` (loopback or https), which DOT runs on every registration."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None  # DOT answers malformed JSON itself
    if not isinstance(data, dict):
        return None
    if _contains_nul(data):
        return "Metadata must not contain NUL characters."  # PostgreSQL refuses them in text
    if data.get("token_endpoint_auth_method") != "none":
        return (
            'Only public clients may register here: send "token_endpoint_auth_method": "none" '
            "(agents with a secret are created by a person in Teeckin)."
        )
    grant_types = data.get("grant_types", ["authorization_code"])
    if not isinstance(grant_types, list) or not set(grant_types) <= REGISTRABLE_GRANT_TYPES:
        return 'grant_types may only be "authorization_code" and "refresh_token".'
    if not data.get("redirect_uris"):
        return "redirect_uris is required (a loopback http:// or an https:// URI)."
    return None


def registration_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Count every registration attempt per IP address ("registration" bucket): registering is open to
    anyone, so it must be cheap to refuse a flood."""

    def limited_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            state = rate_limit_state(request)
            state.evaluated = True
            usage = count_in_bucket(
                request, "registration", f"ip:{client_ip(request)}", rate_of("registration")
            )
            if usage is not None:
                state.usages.append(usage)
                if usage.limited:
                    return rate_limited_response(usage)
        return view(request, *args, **kwargs)

    return csrf_exempt(limited_view)


@method_decorator(csrf_exempt, name="dispatch")
class RegistrationView(DynamicClientRegistrationView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        problem = registration_metadata_problem(request.body)
        if problem:
            return _registration_error(problem)
        return super().post(request, *args, **kwargs)


@method_decorator(csrf_exempt, name="dispatch")
class RegistrationManagementView(DynamicClientRegistrationManagementView):
    """RFC 7592 read, update and delete with the registration access token; updates obey the same rules."""

    def put(self, request: HttpRequest, client_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
        problem = registration_metadata_problem(request.body)
        if problem:
            return _registration_error(problem)
        return super().put(request, client_id, *args, **kwargs)


# --- Discovery -----------------------------------------------------------------------------------------


class AuthorizationServerMetadataView(OAuthServerMetadataView):
    """RFC 8414 at ``/.well-known/oauth-authorization-server`` (DOT's document as configured)."""


class McpResourceMetadataView(OAuthProtectedResourceMetadataView):
    """RFC 9728 for the MCP endpoint, at ``/.well-known/oauth-protected-resource/mcp`` and at the root
    form: the MCP endpoint is the only resource browser-authorized clients get tokens for, so both name it
    (a client comparing the document with the URL it was given then finds ``<origin>/mcp``)."""

    def get_resource(self, request: HttpRequest) -> str:
        return mcp_resource_url(request)

    def get_scopes_supported(self) -> list[str]:
        return MCP_SCOPES
