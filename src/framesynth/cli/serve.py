"""``serve`` (the web workbench) and ``users`` (its accounts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from framesynth.accounts import ROLES, add_user, set_role
from framesynth.cli._util import (
    EmbedderOpt,
    ProjectArg,
    new_app,
    print_table,
    project_session,
)
from framesynth.config import current_user
from framesynth.errors import InvalidArgument
from framesynth.store.models import User

users_app = new_app("Accounts for the web workbench, with a role each: owner, coder, viewer.")


def serve(project: ProjectArg,
          host: Annotated[str, typer.Option(help="Address to listen on; beyond loopback, "
                                                 "everyone must log in.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port.")] = 8765,
          get: Annotated[str | None, typer.Option(
              "--get", help="Print the response to one GET request and exit.")] = None,
          embedder: EmbedderOpt = None) -> None:
    """Start the web workbench over a project (FastAPI + uvicorn).

    Example: framesynth serve study.fsdb --port 8765
    """
    from framesynth.web.app import create_app
    from framesynth.web.deps import Settings

    app = create_app(Settings(project=Path(project), host=host, embedder=embedder))
    if get is not None:
        from fastapi.testclient import TestClient

        response = TestClient(app).get(get)
        typer.echo(response.text)
        raise typer.Exit(0 if response.status_code < 400 else 1)
    import uvicorn

    typer.echo(f"framesynth workbench on http://{host}:{port}/"
               + ("" if host in {"127.0.0.1", "localhost", "::1"} else " (login required)"))
    uvicorn.run(app, host=host, port=port, log_level="warning")


@users_app.command("add")
def users_add(project: ProjectArg, name: Annotated[str, typer.Argument(help="Login name.")],
              role: Annotated[str, typer.Option(help=", ".join(ROLES))] = "coder",
              password: Annotated[str | None, typer.Option(
                  help="Leave out to be asked (not echoed).")] = None) -> None:
    """Add an account.

    Example: framesynth users add study.fsdb amira --role coder
    """
    secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with project_session(project) as session:
        add_user(session, name, secret, role=role, actor=current_user())
    typer.echo(f"added {name} as {role}")


@users_app.command("role")
def users_role(project: ProjectArg, name: Annotated[str, typer.Argument(help="Login name.")],
               role: Annotated[str, typer.Argument(help=", ".join(ROLES))]) -> None:
    """Change an account's role.

    Example: framesynth users role study.fsdb amira viewer
    """
    if role not in ROLES:
        raise InvalidArgument(f"role must be one of: {', '.join(ROLES)}")
    with project_session(project) as session:
        set_role(session, name, role, actor=current_user())
    typer.echo(f"{name} is now {role}")


@users_app.command("list")
def users_list(project: ProjectArg) -> None:
    """List the accounts and their roles.

    Example: framesynth users list study.fsdb
    """
    with project_session(project) as session:
        rows = [[u.name, u.role, u.created_at.isoformat(timespec="seconds")]
                for u in session.scalars(select(User).order_by(User.name))]
    print_table(["name", "role", "created"], rows)
