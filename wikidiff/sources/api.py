"""Former home of the API client, kept so that older imports keep working; the client now lives in
wikidiff.sources.http (politeness), wikidiff.sources.client (WikiClient, open_client) and wikidiff.sources.resolve."""

from .client import CONTENT_BATCH, IDS_BATCH, WikiClient, open_client
from .http import DEFAULT_USER_AGENT, PoliteSession, build_user_agent, has_contact, retry_after_seconds
from .resolve import REVISION_PROPS
from .url import parse_api_url

__all__ = ["CONTENT_BATCH", "DEFAULT_USER_AGENT", "IDS_BATCH", "REVISION_PROPS", "PoliteSession", "WikiClient",
           "build_user_agent", "has_contact", "open_client", "parse_api_url", "retry_after_seconds"]
