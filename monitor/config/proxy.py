"""Which HTTP proxy the crawl and `check` go through, if any.

In order: MOFAWATCH_PROXY_URL (the one place for a proxy password), [site] proxy (an
address without credentials), then the standard https_proxy / http_proxy variables for
the scheme of the site (with no_proxy honoured). None: a direct connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit, urlunsplit

from monitor.config.errors import ConfigError

PROXY_URL_ENV = "MOFAWATCH_PROXY_URL"
PROXY_SCHEMES = ("http", "https")


def check_proxy_address(url: str) -> str:
    """A [site] proxy value: an http(s) URL with a host and no credentials."""
    parts = _split(url)
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            f"must not hold credentials; put the whole URL in {PROXY_URL_ENV}"
        )
    return url


def resolve_proxy(
    environ: Mapping[str, str], configured: str | None, base_url: str
) -> str | None:
    """The proxy URL to use (it may carry credentials: never log it), or None."""
    explicit = environ.get(PROXY_URL_ENV)
    if explicit:
        try:
            _split(explicit)
        except ValueError as exc:
            raise ConfigError(f"{PROXY_URL_ENV}: {exc}") from None
        return explicit
    if configured:
        return configured
    return _standard_proxy(environ, base_url)


def masked_proxy(url: str) -> str:
    """The proxy URL with any user name and password replaced by ***."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def _standard_proxy(environ: Mapping[str, str], base_url: str) -> str | None:
    scheme = urlsplit(base_url).scheme or "https"
    value = environ.get(f"{scheme}_proxy") or environ.get(f"{scheme.upper()}_PROXY")
    if not value:
        return None
    host = urlsplit(base_url).hostname or ""
    no_proxy = environ.get("no_proxy") or environ.get("NO_PROXY") or ""
    if _bypassed(host, no_proxy):
        return None
    if "://" not in value:
        value = f"http://{value}"  # curl's reading of a bare host:port
    try:
        _split(value)
    except ValueError as exc:
        raise ConfigError(f"{scheme}_proxy: {exc}") from None
    return value


def _bypassed(host: str, no_proxy: str) -> bool:
    """no_proxy as curl reads it: "*", or host names matching themselves and below."""
    host = host.lower().rstrip(".")
    for entry in no_proxy.split(","):
        name = entry.strip().lower().lstrip(".").split(":")[0]
        if name == "*" or (name and (host == name or host.endswith("." + name))):
            return True
    return False


def _split(url: str) -> SplitResult:
    """The URL's parts; ValueError (never quoting the URL: it may hold a password)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname or port == -1:
        raise ValueError("must be an http(s) URL such as http://proxy.example:3128")
    if " " in url:
        raise ValueError("must be an http(s) URL without spaces")
    return parts
