"""Start uvicorn for `mapgen serve`: one process, or several workers sharing the secret file."""

from __future__ import annotations

import copy
import logging
import logging.config
import os
import signal
from typing import Any

from mapgen.serve.config import CONFIG_VARIABLE, ServeConfig

log = logging.getLogger("mapgen.serve")


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging setup plus mapgen's loggers (workers apply it too)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["mapgen"] = {
        "()": "mapgen.serve.logs.EscapingFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s",
    }
    config["handlers"]["mapgen"] = {
        "class": "logging.StreamHandler",
        "formatter": "mapgen",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["mapgen"] = {"handlers": ["mapgen"], "level": level.upper(), "propagate": False}
    return config


def app_from_environment() -> Any:
    """The factory each uvicorn worker calls: the options come from MAPGEN_SERVE_CONFIG."""
    from mapgen.serve.app import create_app

    return create_app(ServeConfig.from_environment())


def run(
    config: ServeConfig,
    *,
    host: str,
    port: int,
    workers: int = 1,
    forwarded_allow_ips: str | None = None,
    log_level: str = "info",
) -> None:
    """Serve until SIGINT or SIGTERM; uvicorn finishes the requests in flight, then returns."""
    import uvicorn

    from mapgen.serve.app import create_app
    from mapgen.serve.guard import IDLE_TIMEOUT, HeaderTimeoutProtocol

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": log_config(log_level),
        "log_level": log_level,
        "access_log": False,  # it would log every token; mapgen's access log redacts them
        "server_header": False,
        "http": HeaderTimeoutProtocol,  # request headers within HEADER_TIMEOUT seconds
        "timeout_keep_alive": IDLE_TIMEOUT,
        "proxy_headers": forwarded_allow_ips is not None,
        "forwarded_allow_ips": forwarded_allow_ips,
        "timeout_graceful_shutdown": 10,
    }
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again with the handler it
    # found: with this one, a graceful stop ends the command with exit code 0, not "killed".
    previous = signal.signal(signal.SIGTERM, lambda _sig, _frame: None)
    try:
        if workers > 1:
            os.environ[CONFIG_VARIABLE] = config.to_json()
            uvicorn.run("mapgen.serve.run:app_from_environment", factory=True, workers=workers, **options)
        else:
            logging.config.dictConfig(options["log_config"])  # so that loading the plans is logged
            uvicorn.run(create_app(config), **options)
    finally:
        signal.signal(signal.SIGTERM, previous)
