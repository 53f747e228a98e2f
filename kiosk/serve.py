"""Running the hall server under gunicorn (threads for the live pages, workers for load)."""

from __future__ import annotations

import gc
import os

from gunicorn.app.base import BaseApplication

from kiosk.settings import Settings
from kiosk.web import admission
from kiosk.web.database import dispose


class HallServer(BaseApplication):
    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        for key, value in {
            "bind": f"{s.host}:{s.port}",
            "workers": s.workers,
            "threads": s.threads,
            "worker_class": "gthread",
            "preload_app": True,
            # a worker whose main loop stops answering is replaced; a stuck request: admission.watch
            "timeout": s.request_timeout_s,
            "graceful_timeout": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "post_fork": _post_fork,
        }.items():
            self.cfg.set(key, value)

    def load(self):
        from kiosk.web import create_app

        app = create_app()
        # what start-up built lives as long as the workers: keep it out of the collector's
        # full passes, which otherwise stop a busy worker for tens of milliseconds
        gc.collect()
        gc.freeze()
        return app


def _post_fork(_server, worker) -> None:
    # the app (and its connection pools) was built before the fork: start with fresh connections
    app = worker.app.callable
    dispose(app, close=False)
    # a stuck thread cannot be stopped, nor would it let the process exit: leave at once,
    # the master starts a fresh worker (its other requests are retried by their clients)
    admission.watch(app, app.extensions["settings"].request_timeout_s, on_stuck=lambda: os._exit(1))


def run(settings: Settings) -> None:
    HallServer(settings).run()
