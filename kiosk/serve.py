"""Running the hall server under gunicorn (threads for the live pages, workers for load)."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from kiosk.settings import Settings


class HallServer(BaseApplication):
    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        for key, value in {
            "bind": f"{s.host}:{s.port}", "workers": s.workers, "threads": s.threads,
            "worker_class": "gthread", "preload_app": True, "timeout": 0,
            "graceful_timeout": 5, "accesslog": None, "errorlog": "-", "loglevel": "info",
            "post_fork": _post_fork,
        }.items():
            self.cfg.set(key, value)

    def load(self):
        from kiosk.web import create_app

        return create_app()


def _post_fork(_server, worker) -> None:
    # the app (and its connection pool) was built before the fork: start with fresh connections
    worker.app.callable.extensions["engine"].dispose(close=False)


def run(settings: Settings) -> None:
    HallServer(settings).run()
