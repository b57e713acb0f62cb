"""GitHub REST access: the client, its errors and where the token comes from."""

from suite.github.auth import token_from_env
from suite.github.client import DispatchResult, GitHubClient, GitHubError, RateLimited

__all__ = ["DispatchResult", "GitHubClient", "GitHubError", "RateLimited", "token_from_env"]
