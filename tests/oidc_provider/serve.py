"""Start the test provider: python -m tests.oidc_provider.serve CONFIG.json

CONFIG names the client (id, secret, redirect and sign-out addresses) and the users
({"email", "password", "verified", "groups"}). Set PROVIDER_PORT and
PROVIDER_DATABASE (an SQLite file) first. Prints "ready" when it listens.
"""

import json
import os
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import WSGIServer, run  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oidc_provider.models import Client, ResponseType  # noqa: E402


def main(config_path: str) -> None:
    config = json.loads(open(config_path).read())
    call_command("migrate", verbosity=0)
    call_command("creatersakey", stdout=open(os.devnull, "w"))
    for person in config["users"]:
        User.objects.create_user(
            username=person["email"],
            email=person["email"],
            password=person["password"],
            is_staff=person.get("verified", True),
            first_name=" ".join(person.get("groups", [])),
        )
    client = Client.objects.create(
        name="PEEL action tracker",
        client_type="confidential",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        jwt_alg="RS256",
        require_consent=False,
        _redirect_uris=config["redirect_uri"],
        _post_logout_redirect_uris=config["post_logout_redirect_uri"],
        _scope="openid email profile groups",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    print("ready", flush=True)
    run(
        "127.0.0.1",
        int(os.environ["PROVIDER_PORT"]),
        get_wsgi_application(),
        threading=True,
        server_cls=WSGIServer,
    )


if __name__ == "__main__":
    main(sys.argv[1])
