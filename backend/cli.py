"""The ``ledger-layer`` command."""
from __future__ import annotations

import sys
from typing import Optional

import typer
from pydantic import ValidationError

app = typer.Typer(help="Ledger Layer: lease and revenue accounting service.", no_args_is_help=True)
tokens_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
users_app = typer.Typer(help="Dashboard users: one-time password links.", no_args_is_help=True)
app.add_typer(users_app, name="users")
jobs_app = typer.Typer(help="Follow asynchronous jobs over the API.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


def _settings():
    from backend.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "LEDGER_" + str(err["loc"][0]).upper() if err.get("loc") else "settings"
        typer.echo(f"Configuration error: {field}: {err['msg']}", err=True)
        raise typer.Exit(2) from None


def _runtime(settings=None):
    from backend.bootstrap import build_runtime

    settings = settings or _settings()
    try:
        return build_runtime(settings)
    except ValueError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None


def _migrate(settings) -> None:
    from backend.db.migrate import upgrade

    try:
        upgrade(settings.database_url)
    except Exception as exc:  # a start-up failure should read as one line, not a traceback
        typer.echo(f"Database error: could not migrate {settings.database_url}: {exc.__class__.__name__}: "
                   f"{str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(2) from None


@app.command()
def migrate() -> None:
    """Apply database migrations up to the latest version."""
    settings = _settings()
    _migrate(settings)
    typer.echo(f"Database is up to date ({settings.database_url}).")


@app.command()
def serve(
    host: Optional[str] = typer.Option(None, help="Bind address (default LEDGER_HOST or 127.0.0.1)"),
    port: Optional[int] = typer.Option(None, help="Port (default LEDGER_PORT or 8000)"),
    workers: Optional[int] = typer.Option(None, min=1, help="Job worker processes beside the API (default "
                                                            "LEDGER_WORKER_PROCESSES, or one per core; 1 = a thread)"),
    https: bool = typer.Option(False, "--https", help="Serve HTTPS with a local CA and certificate (created in "
                                                      ".ledger-layer/tls/): what the Excel add-in needs on a "
                                                      "workstation"),
) -> None:
    """Migrate, create the demo account on an empty database, and serve the API."""
    import uvicorn

    from backend.serving import serving_app
    from backend.services.platform import local_tls, tenancy

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    scheme = "https" if https else "http"
    if "public_base_url" not in settings.model_fields_set:
        # The add-in manifest's URLs follow what is actually served (scheme, host, port).
        settings.public_base_url = f"https://{local_tls.url_host(host)}:{port}"
    tls = local_tls.ensure(host) if https else None
    _migrate(settings)
    rt = _runtime(settings)
    boot = tenancy.bootstrap_demo(rt)
    if boot:
        typer.echo("Created the demo account: a sandbox and a production tenant, entity DEMO-US.")
        typer.echo(f"Sandbox OWNER token (shown once, store it now):\n\n    {boot.token}\n")
    base = f"{scheme}://{local_tls.url_host(host) if https else host}:{port}"
    if boot:
        typer.echo(f"Try: curl -H 'Authorization: Bearer {boot.token}' {base}/v1/me")
    else:
        typer.echo("Using the existing database; no new token is printed. Get one with\n\n"
                   "    ledger-layer tokens create --email owner@demo.example --tenant sandbox\n\n"
                   "(your OWNER's email if you bootstrapped another account; add --json for scripts).")
    typer.echo(f"API reference: {base}/v1/docs")
    if tls:
        typer.echo(("Created a local certificate authority. " if tls.created_ca else "")
                   + local_tls.trust_help(tls.ca_cert))
        typer.echo(f"Excel add-in: sideload {settings.public_base_url}/addin/manifest.xml")
    else:
        typer.echo("The Excel add-in needs HTTPS: `ledger-layer serve --https` (local certificate) or a proxy.")
    ssl = {"ssl_certfile": str(tls.cert), "ssl_keyfile": str(tls.key)} if tls else {}
    uvicorn.run(serving_app(rt, workers), host=host, port=port, log_level="info", **ssl)


@app.command("mcp")
def mcp_command(
    stdio: bool = typer.Option(False, "--stdio", help="Serve the MCP tools on stdin/stdout (desktop clients)"),
) -> None:
    """MCP tools for AI agents over stdio; the token comes from LEDGER_MCP_TOKEN.

    Over HTTP the same tools are part of `ledger-layer serve`, at /mcp with a bearer token.
    """
    import os

    if not stdio:
        typer.echo("Use `ledger-layer mcp --stdio` for desktop clients; remote clients connect to "
                   "http(s)://<host>/mcp of `ledger-layer serve` with 'Authorization: Bearer <token>'.", err=True)
        raise typer.Exit(2)
    from backend.mcp.stdio import TOKEN_ENV, run_stdio

    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        typer.echo(f"Set {TOKEN_ENV} to an API token (ll_test_… or ll_live_…) for the MCP server to act as.",
                   err=True)
        raise typer.Exit(2)
    raise typer.Exit(run_stdio(_runtime(), token))


@app.command()
def bootstrap(
    account: str = typer.Option(..., help="Account name"),
    owner_email: str = typer.Option(..., help="Email of the OWNER user"),
    owner_name: str = typer.Option("Owner", help="Name of the OWNER user"),
) -> None:
    """Create a new (empty) account with sandbox and production tenants and print an OWNER token."""
    from backend.services.platform import tenancy

    settings = _settings()
    _migrate(settings)
    boot = tenancy.create_account(_runtime(settings), name=account, owner_name=owner_name, owner_email=owner_email)
    typer.echo(f"account {boot.account_id}: sandbox {boot.sandbox_tenant_id}, production {boot.production_tenant_id}")
    typer.echo(f"Sandbox OWNER token (shown once): {boot.token}")


@app.command()
def worker(
    processes: int = typer.Option(1, min=1, help="Worker processes to run (each polls the job table)"),
    concurrency: int = typer.Option(1, min=1, help="Jobs each process runs at once (threads)"),
    poll_interval: float = typer.Option(1.0, min=0.01, help="Seconds between polls when the queue is empty"),
    lease_seconds: float = typer.Option(60.0, min=0.5, help="A claimed job returns to the queue this long after "
                                                            "its worker's last heartbeat"),
    imports: list[str] = typer.Option([], "--import", help="Module to import first (registers more handlers)"),
) -> None:
    """Run job workers (scale-out). SIGTERM/SIGINT: finish the current job, then exit."""
    from backend.jobs import worker as jobs_worker

    settings = _settings()
    _migrate(settings)
    _runtime(settings)  # fail here, with one line, on a bad secret; each process builds its own
    raise typer.Exit(jobs_worker.serve(processes=processes, imports=imports, options={
        "concurrency": concurrency, "poll_interval": poll_interval, "lease_seconds": lease_seconds}))


@tokens_app.command("create")
def tokens_create(
    email: str = typer.Option(..., help="Email of the user the token acts as"),
    tenant: str = typer.Option("sandbox", help="sandbox or production"),
    name: str = typer.Option("cli", help="A name to recognise the token by"),
    account_id: Optional[str] = typer.Option(None, help="Account id, when several accounts share an email"),
    as_json: bool = typer.Option(False, "--json", help="Print {id, token, email, tenant} as JSON (for scripts: "
                                                       "TOKEN=$(ledger-layer tokens create ... --json | jq -r .token))"),
) -> None:
    """Mint a token for a user (prints the secret once)."""
    from backend.services.platform import admin

    rt = _runtime()
    try:
        out = admin.mint_token(rt, email=email, tenant_kind=tenant, name=name, account_id=account_id)
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    if as_json:
        import json

        typer.echo(json.dumps({"id": out["id"], "token": out["token"], "email": email, "tenant": tenant}))
        return
    typer.echo(f"token {out['id']} for {email} in {tenant}: {out['token']}")


@tokens_app.command("list")
def tokens_list(email: Optional[str] = typer.Option(None, help="Only this user's tokens")) -> None:
    """List tokens (never the secrets)."""
    from backend.services.platform import admin

    for t in admin.list_tokens(_runtime(), email=email):
        state = "revoked" if t["revoked_at"] else "active"
        typer.echo(f"{t['id']}  {t['prefix']}…  {t['tenant_kind']:<10} {t['email']:<30} {state:<8} {t['name']}")


@tokens_app.command("revoke")
def tokens_revoke(token_id: str = typer.Argument(..., help="Token id (see `tokens list`)")) -> None:
    """Revoke a token with immediate effect."""
    from backend.services.platform import admin

    if not admin.revoke_token(_runtime(), token_id):
        typer.echo(f"No token {token_id}.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Revoked {token_id}.")


@users_app.command("reset-link")
def users_reset_link(
    email: str = typer.Option(..., help="Email of the person who forgot their password"),
    account_id: Optional[str] = typer.Option(None, help="Account id, when several accounts share an email"),
) -> None:
    """Print a one-time dashboard link to set a new password (valid two hours; no mail server needed)."""
    from backend.services.platform import web_sessions

    settings = _settings()
    try:
        out = web_sessions.create_reset_link(_runtime(settings), email=email, account_id=account_id)
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    base = settings.public_base_url.rstrip("/")
    typer.echo(f"One-time link for {out['email']} (valid {out['expires_in_hours']} h, works once):\n\n"
               f"    {base}/dashboard/password/{out['secret']}\n")


@app.command()
def postman(
    out: str = typer.Option(".", help="Directory to write the collection and the two environments to"),
    base_url: Optional[str] = typer.Option(None, help="Server the requests go to (default "
                                                      "http://LEDGER_HOST:LEDGER_PORT)"),
) -> None:
    """Write a Postman collection (from the OpenAPI) and sandbox/production environments: import all three."""
    import json
    from pathlib import Path

    from backend.api import postman as pm
    from backend.api.app import create_app

    settings = _settings()
    base = (base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    spec = create_app(_runtime(settings)).openapi()
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    files = {"ledger-layer.postman_collection.json": pm.collection(spec, base),
             **{f"ledger-layer-{kind}.postman_environment.json": pm.environment(kind, base)
                for kind in pm.ENVIRONMENTS}}
    for name, doc in files.items():
        (target / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        typer.echo(str(target / name))
    typer.echo("Import them in Postman, pick an environment and paste your token into its `token` variable.")


def _api_base(url: Optional[str]) -> str:
    if url:
        return url.rstrip("/")
    s = _settings()
    return f"http://{s.host}:{s.port}/v1"


def _api_get(base: str, path: str, token: str) -> dict:
    import json
    import urllib.error
    import urllib.request

    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}",
                                                       "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (an http(s) URL the user gave)
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            err = json.loads(exc.read())["error"]
            typer.echo(f"{exc.code} {err['code']}: {err['message']}", err=True)
        except Exception:  # not our error shape (a proxy, another service)
            typer.echo(f"HTTP {exc.code} from {base}{path}", err=True)
        raise typer.Exit(1) from None
    except urllib.error.URLError as exc:
        typer.echo(f"Cannot reach {base}: {exc.reason}. Is `ledger-layer serve` running? (--url)", err=True)
        raise typer.Exit(1) from None


TOKEN_OPTION = typer.Option(None, "--token", envvar="LEDGER_TOKEN", help="API token (or LEDGER_TOKEN)")
URL_OPTION = typer.Option(None, "--url", help="API base, default http://LEDGER_HOST:LEDGER_PORT/v1")


@jobs_app.command("wait")
def jobs_wait(
    job_ids: list[str] = typer.Argument(..., help="One or more job ids (from a 202 answer)"),
    token: Optional[str] = TOKEN_OPTION,
    url: Optional[str] = URL_OPTION,
    interval: float = typer.Option(0.5, min=0.05, help="Seconds between polls"),
    timeout: float = typer.Option(3600, min=1, help="Give up after this many seconds"),
) -> None:
    """Wait for jobs with a progress bar; print each finished job as JSON. Exit 1 if one failed."""
    import json
    import time

    if not token:
        typer.echo("A token is needed: --token ll_test_… or LEDGER_TOKEN.", err=True)
        raise typer.Exit(2)
    base = _api_base(url)
    failed = False
    deadline = time.monotonic() + timeout
    for job_id in job_ids:
        job = _api_get(base, f"/engine/jobs/{job_id}", token)
        shown = 0
        with typer.progressbar(length=job["progress"]["total"], label=f"{job['kind']} {job_id}",
                               file=sys.stderr, show_pos=True) as bar:
            while True:
                done, total = job["progress"]["done"], job["progress"]["total"]
                if total != bar.length:
                    bar.length = total
                bar.update(done - shown)
                shown = done
                if job["status"] in ("succeeded", "failed", "dead"):
                    break
                if time.monotonic() > deadline:
                    typer.echo(f"\nStill {job['status']} after {timeout:.0f} s: {job_id}", err=True)
                    raise typer.Exit(1)
                time.sleep(interval)
                job = _api_get(base, f"/engine/jobs/{job_id}", token)
        failed = failed or job["status"] != "succeeded"
        typer.echo(json.dumps(job))
    raise typer.Exit(1 if failed else 0)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
