"""Triage latency through the real stack: /api/triage/classify and a kiosk turn that runs an action.

Run from the repository root with the app environment (.venv-rasa must exist):

    .venv/bin/python bench/triage_latency.py                     # 200 classifies, 100 conversations
    .venv/bin/python bench/triage_latency.py --n 500 --conversations 150
    .venv/bin/python bench/triage_latency.py --concurrency 0     # one kiosk only
    .venv/bin/python bench/triage_latency.py --model assistant/models/<hash>.tar.gz

Starts the stack as the tests do (tests/support): the hall server
(`python -m kiosk serve`, fresh SQLite database in a temporary folder, one
worker as deployed by default), the Rasa server on the model of the current
inputs (`assistant/scripts/model-hash.sh`; REST channel, HTTP API behind a
token) and the rasa_sdk action server calling the hall server back. Then:

- classify: `POST /api/triage/classify` on the hall server (-> Rasa's
  /model/parse), the utterances of bench/data/triage_heldout.yml in turn;
  a success is HTTP 200 with a judgement (business_type, decline_reason).
- kiosk turns: a pay_bill conversation per sample, as a customer has it at the
  kiosk: session opened (greeting), a typed request ("帮我充300块钱电费" …,
  action_triage asks for a confirmation), the "对" button (action_route: the
  materials and the self-service offer), the "取号" button
  (action_issue_ticket: POST /api/tickets). Each turn is
  `POST /api/kiosk/sessions/<id>/messages` -> Rasa REST channel -> action
  server -> hall API. A turn counts only when it answers 200 in mode
  "assistant" (not the touch-menu fallback) with what its action does: the
  triage of pay_bill, the offer's buttons, a ticket whose number the action
  said; the tickets are counted in the database at the end too.
  The issue's figure (p95 <= 400 ms) is the ticket turn; the others run
  custom actions too and are printed beside it.

Warm-up first (the first parse and the first action are slow), then
sequential requests (one kiosk at a time), then the same with --concurrency
kiosks at once. Training time and model size of the model served are printed
too (training time from var/rasa-train.log when that log is of this model; it
trains only with --train, and never while another `rasa train` runs).

The hall server waits for Rasa up to --rasa-timeout (20 s here so slow turns
are measured, not cut; deployed default 1.3 s: turns slower than that would
have fallen back to the touch menu, and are counted apart).
Prints p50/p95/max beside the targets of issue 3; asserts nothing, exits 0.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.assistant import AssistantStack  # noqa: E402
from tests.support.server import HallServerProcess  # noqa: E402

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
MODELS = ROOT / "assistant" / "models"
TRAIN_LOG = ROOT / "var" / "rasa-train.log"
HELDOUT = ROOT / "bench" / "data" / "triage_heldout.yml"
DEVICE_TOKEN = "bench-device-token"
DEPLOYED_RASA_TIMEOUT_S = 1.3  # kiosk/settings.py rasa_timeout_s default
TARGETS = {"classify_p50": 60, "classify_p95": 120, "action_p95": 400}
FALLBACK_PAY_BILL = ["我来交电费", "预存一点电费"]  # config/business_types.yml examples


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def line(label: str, ms: list[float], failures: int, target: str, extra: str = "") -> None:
    print(f"  {label:34s} n={len(ms):4d}  p50 {pct(ms, .5):6.0f} ms  p95 {pct(ms, .95):6.0f} ms  "
          f"max {max(ms, default=float('nan')):6.0f} ms  failures {failures:3d}   {target}{extra}")


# ------------------------------------------------------------------ the model

def model_hash() -> str:
    return subprocess.run([str(ROOT / "assistant/scripts/model-hash.sh")], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()


def rasa_training_running() -> bool:
    """A `rasa train` process on this machine (read from /proc; nothing is stopped)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"rasa") for a in args) and b"train" in args:
            return True
    return False


def pick_model(args) -> tuple[Path, str, float | None]:
    """The model to serve, a note saying why, and the training time when this run trained it."""
    if args.model:
        return Path(args.model).resolve(), "given with --model", None
    digest = model_hash()
    current = MODELS / f"{digest}.tar.gz"
    if current.exists():
        return current, f"of the current inputs ({digest})", None
    deadline = time.monotonic() + args.wait_model
    announced = False
    while rasa_training_running() and time.monotonic() < deadline:
        if not announced:
            print(f"no model for the current inputs ({digest}); a rasa training runs: waiting up to "
                  f"{args.wait_model:.0f} s", flush=True)
            announced = True
        time.sleep(10)
        digest = model_hash()
        current = MODELS / f"{digest}.tar.gz"
        if current.exists():
            return current, f"of the current inputs ({digest}), trained while waiting", None
    if args.train and not rasa_training_running():
        print(f"training the model of the current inputs ({digest}) with `make rasa-train` …", flush=True)
        t0 = time.monotonic()
        done = subprocess.run(["make", "rasa-train"], cwd=ROOT, capture_output=True, text=True)
        took = time.monotonic() - t0
        digest_after = model_hash()
        if done.returncode == 0 and (MODELS / f"{digest}.tar.gz").exists():
            note = f"of the current inputs ({digest}), trained by this run"
            if digest_after != digest:
                note += f"; the inputs changed meanwhile (now {digest_after})"
            return MODELS / f"{digest}.tar.gz", note, took
        print(f"make rasa-train failed ({done.returncode}): {done.stdout[-500:]}{done.stderr[-500:]}")
    newest = max(MODELS.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, default=None)
    if newest is None:
        sys.exit("no trained model in assistant/models: run `make rasa-train`")
    return newest, (f"NOT of the current inputs ({digest}, no model yet): the newest model in "
                    f"assistant/models, trained {datetime.fromtimestamp(newest.stat().st_mtime):%Y-%m-%d %H:%M}"), None


def training_time_from_log(model: Path) -> str:
    """The time assistant/scripts/train.sh recorded beside the model, else what var/rasa-train.log says."""
    recorded = model.with_name(model.name.removesuffix(".tar.gz") + ".train-seconds")
    if recorded.exists():
        return f"{recorded.read_text().strip()} s (recorded by assistant/scripts/train.sh)"
    if not TRAIN_LOG.exists():
        return "not recorded (no var/rasa-train.log)"
    text = TRAIN_LOG.read_text(encoding="utf-8", errors="replace")
    saved = re.findall(r"Your Rasa model is trained and saved at '([^']+)'", text)
    if not saved:
        return "not recorded (var/rasa-train.log has no finished training)"
    if Path(saved[-1]).name != model.name:
        return (f"not recorded for this model (var/rasa-train.log is the training of {Path(saved[-1]).name}); "
                "docs/assistant.md quotes 481 s for an earlier pipeline")
    stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", text, flags=re.M)
    if len(stamps) < 2:
        return "not recorded (no timestamps in var/rasa-train.log)"
    first, last = (datetime.strptime(s, "%Y-%m-%d %H:%M:%S") for s in (stamps[0], stamps[-1]))
    return (f"~{(last - first).total_seconds():.0f} s from var/rasa-train.log ({stamps[0]} -> {stamps[-1]}, "
            "first to last timestamped line: the start-up before the first line, usually 10-30 s, is not in it)")


# ------------------------------------------------------------------ the stack

class Stack:
    """Hall server + the assistant (tests/support/assistant.py), its actions calling this hall directly."""

    def __init__(self, model: Path, tmp: Path, rasa_timeout: float, workers: str) -> None:
        self.db_path = tmp / "hall.db"
        self.hall = HallServerProcess(
            f"sqlite:///{self.db_path}", KIOSK_DEVICE_TOKEN=DEVICE_TOKEN, KIOSK_WORKERS=workers,
            KIOSK_SNAPSHOT_DIR=str(tmp / "snapshots"), KIOSK_SECRET_KEY="bench-secret-key",
            KIOSK_PRINTER=f"file:{tmp / 'printer.out'}")
        self.assistant = AssistantStack(tmp, DEVICE_TOKEN, model=model, hall_url=self.hall.url)
        self.rasa_url = self.assistant.rasa_url
        self.hall.env.update(KIOSK_RASA_URL=self.rasa_url, KIOSK_RASA_TOKEN=self.assistant.token,
                             KIOSK_RASA_TIMEOUT_S=str(rasa_timeout))

    def start(self) -> "Stack":
        self.assistant.start(timeout=600)
        self.hall.start(timeout=120)
        return self

    def stop(self) -> None:
        if self.hall.proc is not None:
            self.hall.stop()
        self.assistant.stop()

    def tickets_in_db(self) -> int:
        with sqlite3.connect(self.db_path) as con:
            return con.execute("SELECT count(*) FROM tickets WHERE business_type = 'pay_bill' "
                               "AND visit_id IS NOT NULL").fetchone()[0]


# ------------------------------------------------------------------ the requests

class Kiosk:
    def __init__(self, hall_url: str, name: str) -> None:
        self.url, self.name = hall_url, name
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {DEVICE_TOKEN}"

    def classify(self, text: str) -> tuple[float, str | None, dict]:
        """(ms, failure or None, body)."""
        t0 = time.perf_counter()
        try:
            r = self.http.post(f"{self.url}/api/triage/classify", json={"text": text}, timeout=30)
        except requests.RequestException as exc:
            return (time.perf_counter() - t0) * 1000, type(exc).__name__, {}
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            return ms, f"HTTP {r.status_code}", {}
        body = r.json()
        if "business_type" not in body or "decline_reason" not in body:
            return ms, "no judgement in the answer", body
        return ms, None, body

    def _post(self, path: str, body: dict, ok: int = 200) -> tuple[float, str | None, dict]:
        t0 = time.perf_counter()
        try:
            r = self.http.post(self.url + path, json=body, timeout=60)
        except requests.RequestException as exc:
            return (time.perf_counter() - t0) * 1000, type(exc).__name__, {}
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != ok:
            return ms, f"HTTP {r.status_code}", {}
        out = r.json()
        if out.get("mode") != "assistant":
            return ms, "touch-menu fallback (assistant not reached)", out
        return ms, None, out

    def conversation(self, utterance: str) -> list[tuple[str, float, str | None]]:
        """One pay_bill conversation to its ticket: [(turn, ms, failure or None)], stops at a failure."""
        turns = []
        ms, fail, body = self._post("/api/kiosk/sessions", {"device_id": self.name}, ok=201)
        turns.append(("start", ms, fail))
        if fail:
            return turns
        sid = body["id"]
        try:
            ms, fail, body = self._post(f"/api/kiosk/sessions/{sid}/messages", {"text": utterance})
            if not fail and (body.get("triage") or {}).get("business_type") != "pay_bill":
                fail = f"triaged as {(body.get('triage') or {}).get('business_type')}"
            affirm = _button(body, "/affirm")
            if not fail and not affirm:
                fail = "no confirmation button"
            turns.append(("triage", ms, fail))
            if fail:
                return turns
            ms, fail, body = self._post(f"/api/kiosk/sessions/{sid}/messages", {"payload": affirm})
            want_ticket = _button(body, "/affirm")
            if not fail and (body.get("ticket") or not want_ticket):
                fail = "no self-service offer"
            turns.append(("route", ms, fail))
            if fail:
                return turns
            ms, fail, body = self._post(f"/api/kiosk/sessions/{sid}/messages", {"payload": want_ticket})
            number = (body.get("ticket") or {}).get("number")
            if not fail and not number:
                fail = "no ticket"
            elif not fail and not any(number in m.get("text", "") for m in body.get("messages", [])):
                fail = "ticket not announced by the action"
            turns.append(("ticket", ms, fail))
            return turns
        finally:
            try:
                self.http.post(f"{self.url}/api/kiosk/sessions/{sid}/end", timeout=30)
            except requests.RequestException:
                pass


def _button(body: dict, payload: str) -> str | None:
    for m in body.get("messages") or []:
        for b in m.get("buttons") or []:
            if b.get("payload") == payload:
                return payload
    return None


TURNS = [("start", "session start (greeting)", "(no custom action but the language slot's)"),
         ("triage", "typed request -> action_triage", "(an action turn too, target p95 <= 400 ms)"),
         ("route", "tap yes -> action_route", "(an action turn too, target p95 <= 400 ms)"),
         ("ticket", "tap ticket -> action_issue_ticket", "target p95 <= 400 ms  <- the issue's figure")]


def each_kiosk(kiosks: list[Kiosk], n: int, job) -> float:
    """job(kiosk, i) for i in range(n), the kiosks taking the next i as they are free; the seconds taken."""
    lock, counter = threading.Lock(), iter(range(n))

    def worker(k: Kiosk):
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            job(k, i)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in kiosks]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t0


def run_classify(kiosks: list[Kiosk], texts: list[str], n: int):
    ms, failures, declined, lock = [], {}, [0], threading.Lock()

    def job(k: Kiosk, i: int):
        took, fail, body = k.classify(texts[i % len(texts)])
        with lock:
            if fail:
                failures[fail] = failures.get(fail, 0) + 1
            else:
                ms.append(took)
                declined[0] += bool(body.get("decline_reason"))

    took = each_kiosk(kiosks, n, job)
    return ms, failures, declined[0], took


def run_conversations(kiosks: list[Kiosk], utterances: list[str], n: int):
    ms = {t: [] for t, _, _ in TURNS}
    failures: dict[str, dict[str, int]] = {t: {} for t, _, _ in TURNS}
    lock = threading.Lock()

    def job(k: Kiosk, i: int):
        for turn, took, fail in k.conversation(utterances[i % len(utterances)]):
            with lock:
                if fail:
                    failures[turn][fail] = failures[turn].get(fail, 0) + 1
                else:
                    ms[turn].append(took)

    took = each_kiosk(kiosks, n, job)
    return ms, failures, took


def print_classify(title: str, result) -> None:
    ms, failures, declined, took = result
    print(f"\n== {title}: {len(ms) + sum(failures.values())} requests in {took:.1f} s")
    line("POST /api/triage/classify", ms, sum(failures.values()),
         f"target p50 <= {TARGETS['classify_p50']} ms, p95 <= {TARGETS['classify_p95']} ms")
    print(f"  ({declined} of the answers declined, e.g. out-of-scope items: a decline is a success)")
    for why, k in failures.items():
        print(f"  failure: {why}: {k}")


def print_turns(title: str, result) -> None:
    ms, failures, took = result
    print(f"\n== {title}: {len(ms['ticket'])} tickets issued in {took:.1f} s")
    for turn, label, target in TURNS:
        slow = sum(1 for v in ms[turn] if v > DEPLOYED_RASA_TIMEOUT_S * 1000)
        extra = f"   [{slow} over the deployed {DEPLOYED_RASA_TIMEOUT_S} s Rasa timeout]" if slow else ""
        line(label, ms[turn], sum(failures[turn].values()), target, extra)
        for why, k in failures[turn].items():
            print(f"      failure ({turn}): {why}: {k}")


# ------------------------------------------------------------------ main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="classify requests per pass")
    ap.add_argument("--conversations", type=int, default=100, help="pay_bill conversations per pass")
    ap.add_argument("--concurrency", type=int, default=4, help="kiosks at once in the second pass (0: none)")
    ap.add_argument("--warmup", type=int, default=3, help="warm-up conversations (and 10x classifies)")
    ap.add_argument("--model", help="a model file (default: the current inputs' model, see above)")
    ap.add_argument("--wait-model", type=float, default=1200,
                    help="seconds to wait for a rasa training under way when the current model is missing")
    ap.add_argument("--train", action="store_true",
                    help="time `make rasa-train` when the current model is missing and nothing trains")
    ap.add_argument("--rasa-timeout", type=float, default=20.0, help="KIOSK_RASA_TIMEOUT_S of the hall server")
    ap.add_argument("--workers", default="1", help="KIOSK_WORKERS of the hall server (deployed default 1)")
    args = ap.parse_args(argv)
    if not RASA_BIN.exists():
        print("no .venv-rasa: run `make rasa-env`; nothing measured")
        return 0

    model, why, trained_s = pick_model(args)
    size = model.stat().st_size
    print(f"model {model.relative_to(ROOT) if model.is_relative_to(ROOT) else model} ({why})")
    print(f"model size {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)")
    print("training time " + (f"{trained_s:.0f} s (make rasa-train timed by this run)" if trained_s is not None
                              else training_time_from_log(model)))
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
          + ("; a rasa training is running" if rasa_training_running() else ""))

    heldout = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["items"]
    texts = [str(i["text"]) for i in heldout]
    with tempfile.TemporaryDirectory(prefix="triage-latency-") as tmp:
        stack = Stack(model, Path(tmp), args.rasa_timeout, args.workers)
        t0 = time.monotonic()
        try:
            stack.start()
        except Exception as exc:  # noqa: BLE001 - the benchmark reports, it never crashes
            print(f"the stack did not start: {exc}")
            stack.stop()
            return 0
        try:
            print(f"stack up in {time.monotonic() - t0:.0f} s (hall {stack.hall.url}, Rasa {stack.rasa_url}, "
                  f"actions {stack.assistant.actions_url}; hall workers {args.workers}, Rasa timeout {args.rasa_timeout} s)")
            one = Kiosk(stack.hall.url, "kiosk-1")
            # warm-up: the first parse loads the graph, the first actions open connections
            t_first, fail, _ = one.classify(texts[0])
            print(f"first classify (cold) {t_first:.0f} ms{' failed: ' + fail if fail else ''}")
            run_classify([one], texts[1:], 10 * args.warmup)
            # the pay_bill requests of the held-out set the model reads as pay_bill (else the
            # dialog goes elsewhere: that is the quality bench's business, not this one's)
            candidates = [str(i["text"]) for i in heldout if i["expected"] == "pay_bill"] + FALLBACK_PAY_BILL
            utterances = []
            for text in candidates:
                _, fail, body = one.classify(text)
                if not fail and body.get("business_type") == "pay_bill" and not body.get("decline_reason"):
                    utterances.append(text)
            utterances = utterances or FALLBACK_PAY_BILL
            print(f"pay_bill requests used: {len(utterances)} of {len(candidates)} "
                  f"(those the model triages as pay_bill without declining)")
            warm = run_conversations([one], utterances, args.warmup)
            if not warm[0]["ticket"]:
                print("warm-up conversations issued no ticket:")
                print_turns("warm-up", warm)

            print_classify("classify, sequential (one kiosk)", run_classify([one], texts, args.n))
            before = stack.tickets_in_db()
            seq = run_conversations([one], utterances, args.conversations)
            print_turns("kiosk pay_bill conversations, sequential (one kiosk)", seq)
            issued = stack.tickets_in_db() - before
            print(f"  tickets in the database from these conversations: {issued} "
                  f"(turns that answered one: {len(seq[0]['ticket'])})")
            if args.concurrency > 1:
                kiosks = [Kiosk(stack.hall.url, f"kiosk-{i + 1}") for i in range(args.concurrency)]
                print_classify(f"classify, {args.concurrency} kiosks at once",
                               run_classify(kiosks, texts, args.n))
                before = stack.tickets_in_db()
                par = run_conversations(kiosks, utterances, args.conversations)
                print_turns(f"kiosk pay_bill conversations, {args.concurrency} kiosks at once", par)
                print(f"  tickets in the database from these conversations: {stack.tickets_in_db() - before} "
                      f"(turns that answered one: {len(par[0]['ticket'])})")
            load = os.getloadavg()
            print(f"\nload average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        except Exception as exc:  # noqa: BLE001
            print(f"benchmark stopped: {type(exc).__name__}: {exc}")
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
