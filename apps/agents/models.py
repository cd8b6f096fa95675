from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from oauth2_provider.models import AbstractApplication

from apps.organizations.models import Organization


class Agent(AbstractApplication):
    """An AI agent or script: the OAuth2 client of django-oauth-toolkit (the swapped Application model).

    Swapping (rather than a model beside DOT's Application) means the token's ``application`` *is* the
    agent: one join fewer on every authenticated request, and no second table to keep in step.

    DOT's own ``client_secret`` column is not a credential here: agents authenticate with their
    :class:`AgentSecret` rows (see ``apps.agents.oauth``), and services fill the column with an unusable
    random value so DOT's blank-secret behaviour can never apply.

    Three kinds of rows share the table:

    - secret agents (client credentials): an owner, an organization, one or more AgentSecret rows;
    - client registrations (RFC 7591 dynamic registration or a Client ID Metadata Document): public
      authorization-code clients such as one Claude Code install; no owner, no organization, no secret.
      They only take part in the browser flow;
    - interactive agents: one per registration and consenting person (``registration`` set), owned by
      that person in their organization. Tokens are issued to the registration for the person
      (``AccessToken.user``); the agent is what entries record, what the admin lists and what is revoked.
    """

    # Empty only for client registrations, which belong to nobody until a person consents.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="agents", null=True, blank=True
    )
    registration = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consented_agents",
        help_text="For an interactive agent: the OAuth client registration the person consented to.",
    )
    active = models.BooleanField(default=True)
    default_topic = models.ForeignKey(
        "topics.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The OAuth scopes (space-separated, settings.OAUTH2_PROVIDER["SCOPES"]) the token endpoint may grant
    # this agent; "agent" is always among them (apps.agents.services.scopes_normalize keeps it so).
    allowed_scopes = models.CharField(
        max_length=200,
        default="agent",
        help_text="Scopes its tokens may carry: agent (track time) and webhooks (manage webhooks).",
    )

    class Meta(AbstractApplication.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.client_id

    def get_absolute_url(self) -> str:
        # DOT's reverses its own management views, which we do not mount (the admin's "View on site").
        return reverse("web:agent", kwargs={"client_id": self.client_id})

    @property
    def allowed_scope_list(self) -> list[str]:
        return self.allowed_scopes.split()

    @property
    def kind(self) -> str:
        """The agent's kind: "interactive" for browser-OAuth agents (authorization code), "secret" for
        client-credentials ones."""
        return "interactive" if self.authorization_grant_type == self.GRANT_AUTHORIZATION_CODE else "secret"

    @property
    def is_registration(self) -> bool:
        """A registered OAuth client (dynamic registration or CIMD) that belongs to no one."""
        return self.kind == "interactive" and self.user_id is None and self.organization_id is None

    def is_usable(self, request: object) -> bool:
        # DOT asks this before issuing a token: a deactivated agent gets ``invalid_client``. An interactive
        # agent is never an OAuth client itself: its registration is.
        return self.active and not (self.kind == "interactive" and self.registration_id is not None)

    def get_allowed_schemes(self) -> list[str]:
        # Plain http only for loopback redirects (RFC 8252 §7.3, checked in clean()); https otherwise.
        return ["https", "http"]

    def clean(self) -> None:
        if self.registration_id is not None:
            return  # an interactive agent is no OAuth client (its registration is): DOT's rules don't apply
        super().clean()
        refused = [uri for uri in self.redirect_uris.split() if not redirect_uri_acceptable(uri)]
        if refused:
            raise ValidationError(
                {
                    "redirect_uris": [
                        f"{uri} is refused: redirect URIs must use https, or http on a loopback address "
                        "(127.0.0.1, [::1] or localhost)."
                        for uri in refused
                    ]
                }
            )


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def redirect_uri_acceptable(uri: str) -> bool:
    """https anywhere, or http on a loopback address (any port: native apps pick one at run time)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


class HashedCredential(models.Model):
    """A credential kept only as its SHA-256 digest (see apps.agents.credentials), with a short visible
    prefix to tell credentials apart."""

    prefix = models.CharField(max_length=16, help_text="The first characters, to tell secrets apart.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class AgentSecret(HashedCredential):
    """One client secret of an agent. An agent may hold several unrevoked secrets at once, so a running
    agent can switch to a new secret before the old one is revoked."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="secrets")

    class Meta:
        ordering = ["agent", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({'revoked' if self.revoked_at else 'active'})"


class TokenOrigin(models.Model):
    """Which secret minted an access token, so revoking a secret stops its tokens on the next request.

    A side table keyed by the token (rather than a swapped AccessToken model) keeps DOT's own tables and
    migrations untouched; the authentication query reaches it through one extra join.
    """

    access_token = models.OneToOneField(
        settings.OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="origin",
    )
    secret = models.ForeignKey(AgentSecret, on_delete=models.CASCADE, related_name="token_origins")

    def __str__(self) -> str:
        return f"AccessToken #{self.access_token_id} from {self.secret}"


class ApiKey(HashedCredential):
    """A personal API key (``X-API-Key``) for server-to-server callers; acts as its user."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
