#!/usr/bin/env python3
"""Test gateway in front of the moto emulator.

Why it exists: current aws-sdk-cloudwatch speaks Smithy RPCv2-CBOR, which moto
does not; moto does speak CloudWatch's awsJson1_0. This gateway

  * translates CloudWatch CBOR requests to JSON and moto's JSON replies back to
    CBOR (timestamps as CBOR tag 1, doubles as floats, guided by botocore's
    CloudWatch model, which is installed with moto),
  * passes every other service (Lambda, CloudWatch Logs, X-Ray) through,
  * counts calls per operation and records their order,
  * injects faults on request: throttling (in the caller's protocol), 5xx,
    added latency, connection resets,
  * can stop and restart the emulator behind it (moto keeps no state then).

Control API (plain JSON over HTTP on the same port):
  GET  /__gateway/calls          -> {"counts": {"cloudwatch:GetMetricData": 3, ...}, "log": [...]}
  POST /__gateway/reset-calls    -> clears the counters
  POST /__gateway/faults         <- {"faults": [{"ops": ["*"], "kind": "throttle", "rate": 0.3,
                                                  "latency_ms": 0, "count": null}]}
                                    kinds: throttle, 5xx, reset, latency, denied
  POST /__gateway/backend        <- {"up": false} stops moto, {"up": true} starts it again
                                    (its data survives, like a service after an outage)

Started as `gateway.py --port 0`; prints `READY <port>` on stdout once both
the gateway and moto accept connections.
"""

import argparse
import datetime as dt
import gzip
import http.client
import json
import random
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
import cbor2
from moto.server import ThreadedMotoServer

CW_PATH = re.compile(r"^/service/GraniteServiceVersion20100801/operation/(\w+)$")
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
LAMBDA_ROUTES = [
    ("GET", re.compile(r"^/2015-03-31/functions/?$"), "ListFunctions"),
    ("POST", re.compile(r"^/2015-03-31/functions/?$"), "CreateFunction"),
    ("GET", re.compile(r"^/2019-09-30/functions/[^/]+/concurrency/?$"), "GetFunctionConcurrency"),
    ("PUT", re.compile(r"^/2017-10-31/functions/[^/]+/concurrency/?$"), "PutFunctionConcurrency"),
    ("GET", re.compile(r"^/2016-08-19/account-settings/?$"), "GetAccountSettings"),
    ("GET", re.compile(r"^/2015-03-31/functions/[^/]+/?$"), "GetFunction"),
    ("GET", re.compile(r"^/2019-09-30/functions/[^/]+/provisioned-concurrency/?$"),
     "ListProvisionedConcurrencyConfigs"),
    ("GET", re.compile(r"^/2015-03-31/functions/[^/]+/versions/?$"), "ListVersionsByFunction"),
    ("GET", re.compile(r"^/2019-09-25/functions/[^/]+/event-invoke-config/?$"),
     "GetFunctionEventInvokeConfig"),
    ("GET", re.compile(r"^/2015-03-31/event-source-mappings/?$"), "ListEventSourceMappings"),
    ("POST", re.compile(r"^/2015-03-31/event-source-mappings/?$"), "CreateEventSourceMapping"),
    ("POST", re.compile(r"^/2015-03-31/functions/[^/]+/versions/?$"), "PublishVersion"),
    ("GET", re.compile(r"^/2015-03-31/functions/[^/]+/aliases/?$"), "ListAliases"),
    ("POST", re.compile(r"^/2015-03-31/functions/[^/]+/aliases/?$"), "CreateAlias"),
    ("PUT", re.compile(r"^/2015-03-31/functions/[^/]+/aliases/[^/]+/?$"), "UpdateAlias"),
]
XRAY_ROUTES = {
    "/TraceSummaries": "GetTraceSummaries",
    "/Traces": "BatchGetTraces",
    "/TraceSegments": "PutTraceSegments",
    "/TraceGraph": "GetTraceGraph",
}
PERCENTILE_STAT = re.compile(rb"\x63p(50|90|99)")  # CBOR text string "p50" etc.
THROTTLE = {
    "cbor": (400, "Throttling"),
    "json": (400, "ThrottlingException"),
    "lambda": (429, "TooManyRequestsException"),
    "xray": (429, "ThrottledException"),
}
HOP_HEADERS = {"connection", "transfer-encoding", "content-length", "server", "date", "keep-alive"}
UTC = dt.timezone.utc


# An access key that names its account (see Handler.moto_request).
ACCOUNT_KEY = re.compile(r"Credential=AKIDACCT(\d{12})/")


class State:
    """Everything the handler threads share, behind one lock."""

    def __init__(self, moto_port):
        self.lock = threading.Lock()
        self.counts = {}
        self.log = []
        self.queries = {}  # GetMetricData queries per "MetricName FunctionName"
        self.faults = []
        self.moto_port = moto_port
        self.moto = None
        self.rng = random.Random(7)
        self.accounts = set()  # other accounts whose test role exists

    def prepare_account(self, account):
        """The test role in another account, once (its first request)."""
        with self.lock:
            if account in self.accounts:
                return
            self.accounts.add(account)
        create_test_role(self.moto_port, account)

    def record(self, op):
        with self.lock:
            self.counts[op] = self.counts.get(op, 0) + 1
            self.log.append(op)

    def pick_fault(self, op):
        base = op.split("#")[0]
        short = base.split(":", 1)[-1]
        with self.lock:
            for f in self.faults:
                ops = f.get("ops") or ["*"]
                if "*" not in ops and not {op, base, short} & set(ops):
                    continue
                if f.get("count") is not None and f["count"] <= 0:
                    continue
                if self.rng.random() >= float(f.get("rate", 1.0)):
                    continue
                if f.get("count") is not None:
                    f["count"] -= 1
                return dict(f)
        return None


CW_MODEL = botocore.session.get_session().get_service_model("cloudwatch")


def to_epoch(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    return value


def cbor_to_json(obj):
    if isinstance(obj, dict):
        return {k: cbor_to_json(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [cbor_to_json(v) for v in obj]
    if isinstance(obj, cbor2.CBORTag) and obj.tag == 1:
        return obj.value
    return to_epoch(obj)


def parse_ts(value):
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return to_epoch(value)


def shape_to_cbor(shape, value):
    """Coerces moto's JSON value to what the CBOR protocol requires for `shape`."""
    if value is None:
        return None
    t = shape.type_name
    if t == "structure":
        out = {}
        for name, v in value.items():
            member = shape.members.get(name)
            out[name] = shape_to_cbor(member, v) if member is not None else v
        return out
    if t == "list":
        return [shape_to_cbor(shape.member, v) for v in value]
    if t == "map":
        return {k: shape_to_cbor(shape.value, v) for k, v in value.items()}
    if t == "timestamp":
        return cbor2.CBORTag(1, float(parse_ts(value)))
    if t in ("double", "float"):
        return float(value)
    if t in ("integer", "long"):
        return int(value)
    return value


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set by main

    def log_message(self, *args):  # quiet
        pass

    # -- plumbing --------------------------------------------------------
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n else b""
        # The SDK gzips large PutMetricData requests.
        if "gzip" in (self.headers.get("Content-Encoding") or "").lower():
            data = gzip.decompress(data)
            del self.headers["Content-Encoding"]
            del self.headers["Content-Length"]
            self.headers["Content-Length"] = str(len(data))
        return data

    def reply(self, status, body, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, status, obj):
        self.reply(status, json.dumps(obj).encode(), {"Content-Type": "application/json"})

    def reset_connection(self):
        try:
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            self.connection.close()
        finally:
            self.close_connection = True

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    # -- control ----------------------------------------------------------
    def control(self, body):
        st = self.state
        path = self.path
        if path == "/__gateway/calls":
            with st.lock:
                return self.reply_json(200, {"counts": dict(st.counts), "log": list(st.log)})
        if path == "/__gateway/queries":
            with st.lock:
                return self.reply_json(200, {"queries": dict(st.queries)})
        if path == "/__gateway/reset-calls":
            with st.lock:
                st.counts.clear()
                st.log.clear()
                st.queries.clear()
            return self.reply_json(200, {})
        if path == "/__gateway/faults":
            faults = json.loads(body or b"{}").get("faults", [])
            with st.lock:
                st.faults = faults
            return self.reply_json(200, {"faults": len(faults)})
        if path == "/__gateway/backend":
            up = json.loads(body or b"{}").get("up", True)
            set_backend(st, up)
            return self.reply_json(200, {"up": up})
        return self.reply_json(404, {"error": "unknown control path " + path})

    # -- requests ---------------------------------------------------------
    def classify(self):
        """Returns (protocol, 'service:Operation')."""
        m = CW_PATH.match(self.path.split("?")[0])
        if m:
            return "cbor", "cloudwatch:" + m.group(1)
        sm = CREDENTIAL_SCOPE.search(self.headers.get("Authorization", ""))
        service = sm.group(1) if sm else "unknown"
        target = self.headers.get("X-Amz-Target")
        path = self.path.split("?")[0]
        if target:
            return "json", service + ":" + target.split(".")[-1]
        if service == "lambda":
            for method, rx, op in LAMBDA_ROUTES:
                if method == self.command and rx.match(path):
                    return "lambda", "lambda:" + op
            return "lambda", "lambda:" + self.command + " " + path
        if service == "xray":
            return "xray", "xray:" + XRAY_ROUTES.get(path, self.command + " " + path)
        ctype = self.headers.get("Content-Type", "")
        if "x-www-form-urlencoded" in ctype and self._body:
            # Query protocol (STS): the operation is the Action parameter.
            from urllib.parse import parse_qs
            action = parse_qs(self._body.decode("utf-8", "replace")).get("Action", [None])[0]
            if action:
                return "raw", service + ":" + action
        return "raw", service + ":" + self.command + " " + path

    def handle_any(self):
        body = self.body()
        if self.path.startswith("/__gateway/"):
            return self.control(body)
        self._body = body
        proto, op = self.classify()
        if op == "cloudwatch:GetMetricData" and PERCENTILE_STAT.search(body):
            # Percentile batches are counted apart: moto cannot compute them
            # and the SDK retries its HTTP 500s.
            op += "#percentiles"
        self.state.record(op)
        fault = self.state.pick_fault(op)
        if fault:
            kind = fault.get("kind", "throttle")
            if kind == "latency":
                time.sleep(float(fault.get("latency_ms", 2000)) / 1000.0)
            elif kind == "reset":
                return self.reset_connection()
            elif kind == "denied":
                status = 400 if proto in ("cbor", "json") else 403
                return self.error(proto, status, "AccessDeniedException",
                                  "User: arn:aws:iam::123456789012:user/test is not authorized (injected by the test gateway)")
            elif kind == "throttle":
                status, code = THROTTLE.get(proto, (400, "ThrottlingException"))
                return self.error(proto, status, code, "Rate exceeded (injected by the test gateway)")
            else:
                return self.error(proto, 503, "ServiceUnavailable", "injected 5xx")
        if self.state.moto is None:
            # Backend down: behave like a dead endpoint.
            return self.reset_connection()
        if proto == "cbor":
            return self.forward_cbor(op.split(":", 1)[1].split("#")[0], body)
        return self.forward_raw(body)

    def error(self, proto, status, code, message):
        if proto == "cbor":
            payload = cbor2.dumps({"__type": code, "message": message})
            headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
        else:
            payload = json.dumps({"__type": code, "message": message}).encode()
            headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
        self.reply(status, payload, headers)

    def moto_request(self, method, path, body, headers):
        # Several accounts: moto keys its state by the x-moto-account-id
        # header; an access key "AKIDACCT" + 12 digits (the SigV4
        # Credential of the request) names that account.
        account = ACCOUNT_KEY.search(self.headers.get("Authorization", ""))
        if account:
            self.state.prepare_account(account.group(1))
            headers = dict(headers)
            headers["x-moto-account-id"] = account.group(1)
        conn = http.client.HTTPConnection("127.0.0.1", self.state.moto_port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def forward_raw(self, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        status, rh, data = self.moto_request(self.command, self.path, body, headers)
        out = {k: v for k, v in rh if k.lower() not in HOP_HEADERS}
        self.reply(status, data, out)

    def count_queries(self, request):
        """Counts the queries of a GetMetricData call per metric and function
        (first page only: a NextToken repeats the same queries)."""
        if request.get("NextToken"):
            return
        with self.state.lock:
            for q in request.get("MetricDataQueries", []):
                metric = (q.get("MetricStat") or {}).get("Metric") or {}
                dims = {d.get("Name"): d.get("Value") for d in metric.get("Dimensions", [])}
                key = "%s %s" % (metric.get("MetricName"), dims.get("FunctionName", "-"))
                self.state.queries[key] = self.state.queries.get(key, 0) + 1

    def forward_cbor(self, op, body):
        try:
            request = cbor_to_json(cbor2.loads(body)) if body else {}
        except Exception as exc:  # report, don't drop the connection
            open("/tmp/lamtop-bad-cbor.bin", "wb").write(body)
            return self.error("cbor", 400, "SerializationException", "gateway cannot decode CBOR: %s" % exc)
        if op == "GetMetricData":
            self.count_queries(request)
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "GraniteServiceVersion20100801." + op,
            "Authorization": self.headers.get("Authorization", ""),
        }
        status, rh, data = self.moto_request("POST", "/", json.dumps(request).encode(), headers)
        cbor_headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
        try:
            reply = json.loads(data) if data.strip() else {}
        except ValueError:
            reply = None
        if status >= 300:
            code = "InternalFailure"
            message = data[:300].decode("utf-8", "replace")
            if isinstance(reply, dict):
                code = str(reply.get("__type") or reply.get("code") or code).split("#")[-1]
                message = reply.get("message") or reply.get("Message") or message
            for k, v in rh:
                if k.lower() == "x-amzn-errortype":
                    code = v.split(":")[0]
            return self.reply(status, cbor2.dumps({"__type": code, "message": message}), cbor_headers)
        shape = CW_MODEL.operation_model(op).output_shape
        out = shape_to_cbor(shape, reply or {}) if shape is not None else {}
        self.reply(200, cbor2.dumps(out), cbor_headers)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("moto did not start on port %d" % port)


def set_backend(state, up):
    with state.lock:
        current = state.moto
        state.moto = None
    if current is not None:
        current.stop()
    if up:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=state.moto_port, verbose=False)
        server.start()
        wait_port(state.moto_port)
        create_test_role(state.moto_port)
        with state.lock:
            state.moto = server


TEST_ROLE = "lamtop-test"


def create_test_role(port, account=None):
    """moto's CreateFunction insists the execution role exists in IAM (in
    the default account, or in `account`)."""
    import boto3

    iam = boto3.client(
        "iam",
        endpoint_url="http://127.0.0.1:%d" % port,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    if account:
        def in_account(request, **_):
            request.headers["x-moto-account-id"] = account
        iam.meta.events.register("before-sign.iam.*", in_account)
    try:
        iam.create_role(
            RoleName=TEST_ROLE,
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )
    except iam.exceptions.EntityAlreadyExistsException:
        pass  # a restarted emulator keeps its state, like a recovered service


def main():
    import logging

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    state = State(free_port())
    set_backend(state, True)
    Handler.state = state
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("READY %d" % server.server_address[1], flush=True)
    # Exit when the parent closes our stdin (the test process ended).
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()
    set_backend(state, False)


if __name__ == "__main__":
    main()
