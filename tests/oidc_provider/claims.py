"""A `groups` claim (as Entra ID sends) for the `groups` scope."""

from oidc_provider.lib.claims import ScopeClaims


class GroupsClaims(ScopeClaims):
    info_groups = ("Groups", "The groups you are in.")

    def scope_groups(self):
        return {"groups": self.user.first_name.split()}
