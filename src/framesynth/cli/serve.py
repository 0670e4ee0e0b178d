"""``serve`` (the web workbench) and ``users`` (its accounts)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from framesynth.accounts import ROLES, add_user, list_users, remove_user, set_password, set_role
from framesynth.cli._util import (
    EmbedderOpt,
    ProjectArg,
    new_app,
    print_table,
    project_session,
)
from framesynth.config import current_user
from framesynth.errors import InvalidArgument

users_app = new_app("Accounts for the web workbench, with a role each: owner, coder, viewer.")


def serve(project: ProjectArg,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port.")] = 8765,
          allow_host: Annotated[list[str] | None, typer.Option(
              "--allow-host", help="A name the server answers to besides this machine's "
                                   "(the name a reverse proxy passes on); repeat for more.")
          ] = None,
          secure_cookies: Annotated[bool, typer.Option(
              help="Send cookies over HTTPS only (set behind an HTTPS proxy).")] = False,
          session_hours: Annotated[int, typer.Option(
              help="A login lasts at most this long.")] = 12,
          session_idle_minutes: Annotated[int, typer.Option(
              help="A login ends after this long without a request.")] = 120,
          max_upload_mb: Annotated[int | None, typer.Option(
              help="Largest request accepted (default FRAMESYNTH_MAX_UPLOAD_MB or 200).")
          ] = None,
          workers: Annotated[int, typer.Option(
              min=1, help="Worker processes (several coders at once; best on PostgreSQL).")
          ] = 1,
          get: Annotated[str | None, typer.Option(
              "--get", help="Print the response to one GET request and exit.")] = None,
          embedder: EmbedderOpt = None) -> None:
    """Start the web workbench over a project (FastAPI + uvicorn).

    A project with accounts requires a login whatever the address; one without accounts
    is open, as its owner, only to this machine (a loopback address, a local Host, no
    proxy in between).

    With --workers N, N processes share the port; logins, codings and background jobs
    are seen by all of them (jobs through the folder beside the project).

    Example: framesynth serve study.fsdb --port 8765
    """
    from framesynth.web.app import create_app
    from framesynth.web.deps import Settings

    settings = Settings(project=project, host=host, allow_hosts=tuple(allow_host or ()),
                        embedder=embedder, secure_cookies=secure_cookies,
                        session_hours=session_hours, session_idle_minutes=session_idle_minutes)
    if max_upload_mb is not None:
        settings.max_upload_bytes = max_upload_mb * 2**20
    if get is not None:
        app = create_app(settings)
        from fastapi.testclient import TestClient

        response = TestClient(app, base_url="http://127.0.0.1").get(get)
        typer.echo(response.text)
        raise typer.Exit(0 if response.status_code < 400 else 1)
    import uvicorn

    with project_session(project) as session:
        accounts = len(list_users(session))
    processes = f", {workers} worker processes" if workers > 1 else ""
    typer.echo(f"framesynth workbench on http://{host}:{port}/ "
               f"({who_may_enter(host, accounts)}{processes})")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        return
    os.environ.update(settings.to_environment())  # every worker signs with one secret
    uvicorn.run("framesynth.web.app:app_from_environment", factory=True, workers=workers,
                host=host, port=port, log_level="warning")


def who_may_enter(host: str, accounts: int) -> str:
    """One line on who may use a server on ``host`` over a project with ``accounts``."""
    from framesynth.web.access import is_loopback

    if accounts:
        return f"login required: {accounts} account{'s' if accounts != 1 else ''}"
    if is_loopback(host):
        return "no accounts: open to this machine only, as the project owner"
    return "no accounts: nobody can log in until you add one with `framesynth users add`"


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
    typer.echo(f"{name} is now {role} (their sessions have ended)")


@users_app.command("password")
def users_password(project: ProjectArg,
                   name: Annotated[str, typer.Argument(help="Login name.")],
                   password: Annotated[str | None, typer.Option(
                       help="Leave out to be asked (not echoed).")] = None) -> None:
    """Set a new password for an account; its sessions end.

    Example: framesynth users password study.fsdb amira
    """
    secret = password or typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with project_session(project) as session:
        set_password(session, name, secret, actor=current_user())
    typer.echo(f"new password for {name} (their sessions have ended)")


@users_app.command("remove")
def users_remove(project: ProjectArg,
                 name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Remove an account; its sessions end at once.

    Example: framesynth users remove study.fsdb amira
    """
    with project_session(project) as session:
        remove_user(session, name, actor=current_user())
    typer.echo(f"removed {name}")


@users_app.command("list")
def users_list(project: ProjectArg) -> None:
    """List the accounts and their roles.

    Example: framesynth users list study.fsdb
    """
    with project_session(project) as session:
        rows = [[u.name, u.role, u.created_at.isoformat(timespec="seconds")]
                for u in list_users(session)]
    print_table(["name", "role", "created"], rows)
