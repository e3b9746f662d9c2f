#!/usr/bin/env python3
"""A small OpenAI-compatible chat completions server for `./foresight eval`.

    python3 bench/mock_llm.py [--port 0] [--delay-ms 0]

Prints `port N` on its first line of stdout once listening. Answers
POST /v1/chat/completions with three suggestions built from the catalog words found in
foresightd's prompt (llm/llm_prompt.cpp: the user message is a JSON object with metrics,
dimensions, entities, user_patterns, partial_query, count), in the reply format the server
reads: choices[0].message.content = '{"suggestions":[{"text","type","description"}]}'.
GET /stats answers {"requests": N, "chat_completions": N, "bad_requests": N}.
Standard library only; threaded.
"""
import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTS = {"requests": 0, "chat_completions": 0, "bad_requests": 0}
DELAY_S = 0.0


def count(key):
    with LOCK:
        COUNTS[key] += 1
        return COUNTS[key]


def fill(template, metric, dimension, entity):
    """Fills a learned template ("top {N} {entity} by {metric}") with catalog words."""
    values = {"metric": metric, "dimension": dimension, "entity": entity, "n": "10",
              "timeframe": "this month", "date": "yesterday", "year": "2026", "quarter": "Q3",
              "month": "September", "value": dimension}

    def sub(m):
        return values.get(m.group(1).lower(), m.group(1))
    text = re.sub(r"\{([A-Za-z_]+)\}", sub, template)
    return " ".join(text.split())


def suggestions_for(prompt, n):
    """Three suggestions; with a partial query, each continues it (as a model would)."""
    metrics = [m.get("name", "") if isinstance(m, dict) else str(m)
               for m in prompt.get("metrics", [])] or ["revenue"]
    dims = [str(d) for d in prompt.get("dimensions", [])] or ["region"]
    ents = [str(e) for e in prompt.get("entities", [])] or ["products"]
    # Rotate through the catalog so that answers differ between requests.
    metric, dim, ent = metrics[n % len(metrics)], dims[n % len(dims)], ents[n % len(ents)]
    partial = " ".join(str(prompt.get("partial_query", "")).split())
    patterns = [p for p in prompt.get("user_patterns", []) if isinstance(p, str)]
    own = fill(patterns[n % len(patterns)], metric, dim, ent) if patterns else ""
    if partial:
        out = [(f"{partial} {metric} by {dim}", "complete"),
               (f"{partial} 10 {ent} by {metric}" if partial.lower().endswith("top")
                else f"{partial} top 10 {ent} by {metric}", "ranking"),
               (f"{partial} {metric} trend over the last 12 months", "trend")]
        if own.lower().startswith(partial.lower()) and own.lower() != partial.lower():
            out[1] = (own, "complete")
    else:
        out = [(own or f"{metric} by {dim} this month", "aggregation"),
               (f"Top 10 {ent} by {metric}", "ranking"),
               (f"{metric} trend by {dim} over the last 12 months", "trend")]
    spare = [(f"{metric} by {dim} this month", "aggregation"),
             (f"{metric} by {dim} last quarter", "aggregation")]
    seen, unique = set(), []
    for t, kind in out + spare:
        if t.lower() not in seen and len(unique) < 3:
            seen.add(t.lower())
            unique.append((t, kind))
    return [{"text": t[:1].upper() + t[1:], "type": kind, "description": f"about {metric}"}
            for t, kind in unique]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/") == "/stats":
            with LOCK:
                return self.reply(200, dict(COUNTS))
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        count("requests")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self.reply(404, {"error": {"message": "not found"}})
        try:
            body = json.loads(raw)
            user = [m for m in body["messages"] if m.get("role") == "user"][-1]["content"]
            prompt = json.loads(user)
        except (ValueError, KeyError, IndexError, TypeError):
            count("bad_requests")
            return self.reply(400, {"error": {"message": "bad request"}})
        n = count("chat_completions")
        if DELAY_S:
            time.sleep(DELAY_S)
        content = json.dumps({"suggestions": suggestions_for(prompt, n)})
        self.reply(200, {
            "id": f"chatcmpl-mock-{n}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "mock"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": len(raw) // 4, "completion_tokens": len(content) // 4,
                      "total_tokens": (len(raw) + len(content)) // 4},
        })


def main():
    global DELAY_S
    ap = argparse.ArgumentParser(description="mock OpenAI-compatible LLM for ./foresight eval")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=0.0,
                    help="wait this long before answering (a real model takes 0.5-2 s)")
    args = ap.parse_args()
    DELAY_S = args.delay_ms / 1000.0
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
