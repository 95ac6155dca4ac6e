#!/usr/bin/python3
"""The central side of the fleet test and benchmark: an AMQP client (Debian's
python3-pika) of the RabbitMQ cluster, and the final check.

  queue.py count QUEUE                   the messages in QUEUE now
  queue.py wait QUEUE N SECONDS          until QUEUE holds at least N messages; prints
                                         the wall-clock time it did (exit 1: it did not)
  queue.py drain QUEUE OUT               takes every message off QUEUE (acknowledged),
                                         one line each in OUT: routing key, then the body
  queue.py check OUT SAMPLES DEVICE=ACCEPTED_FILE[:RECONNECTS]...
                                         every translation of every accepted request
                                         of each DEVICE (mppt_id) is in OUT, in order
                                         but for at most RECONNECTS (default 0) places
                                         where translations that reached Mosquitto while
                                         its bridge was reconnecting overtook the bridge's
                                         backlog (Mosquitto 2.0.11 sends them first)

The cluster: FLEET_AMQP=host:port[,host:port...] and FLEET_ADMIN=user:password;
each call tries the nodes in turn.
"""
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone

BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def connect():
    import pika
    user, _, password = os.environ["FLEET_ADMIN"].partition(":")
    params = []
    for a in os.environ["FLEET_AMQP"].split(","):
        host, _, port = a.rpartition(":")
        params.append(pika.ConnectionParameters(
            host, int(port), credentials=pika.PlainCredentials(user, password),
            connection_attempts=1, socket_timeout=5, blocked_connection_timeout=30))
    return pika.BlockingConnection(params)


def count(queue):
    conn = connect()
    try:
        return conn.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        conn.close()


def wait(queue, n, seconds):
    deadline = time.monotonic() + seconds
    conn = None
    got = -1
    while time.monotonic() < deadline:
        try:
            if conn is None or conn.is_closed:
                conn = connect()
                ch = conn.channel()
            got = ch.queue_declare(queue, passive=True).method.message_count
            if got >= n:
                print("%.6f" % time.time())
                conn.close()
                return 0
        except Exception:  # a node going or coming back: try again
            conn = None
        time.sleep(0.05)
    print("queue %s holds %d of %d messages after %d s" % (queue, got, n, seconds), file=sys.stderr)
    return 1


def drain(queue, out):
    conn = connect()
    ch = conn.channel()
    ch.basic_qos(prefetch_count=1000)
    n = 0
    last_tag = acked = None
    with open(out, "w") as f:
        for method, props, body in ch.consume(queue, inactivity_timeout=3):
            if method is None:
                if ch.queue_declare(queue, passive=True).method.message_count == 0:
                    break
                continue
            f.write("%s %s\n" % (method.routing_key, body.decode("utf-8", "replace").replace("\n", " ")))
            n += 1
            last_tag = method.delivery_tag
            if n % 500 == 0:
                ch.basic_ack(last_tag, multiple=True)
                acked = last_tag
        if last_tag is not None and last_tag != acked:
            ch.basic_ack(last_tag, multiple=True)
        ch.cancel()
    conn.close()
    print(n)
    return 0


def check(out, samples, devices):
    """Every accepted request's translations, per device in order; duplicates counted."""
    expected = {}
    allowed = {}
    for d in devices:
        name, _, path = d.partition("=")
        path, _, n = path.partition(":")
        allowed[name] = int(n or 0)
        with open(path) as f:
            expected[name] = set(int(x) for x in f.read().split())
    seen = {name: {} for name in expected}   # (seq, j) -> times seen
    order = {name: [] for name in expected}  # first sightings in queue order
    foreign = bad = 0
    with open(out) as f:
        for line in f:
            key, _, body = line.rstrip("\n").partition(" ")
            try:
                msg = json.loads(body)
                dev = msg["mppt_id"]
                when = datetime.strptime(msg["time_event"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
            except (ValueError, KeyError):
                bad += 1
                continue
            if dev not in seen:
                foreign += 1
                continue
            idx = int((when - BASE).total_seconds())
            item = (idx // samples, idx % samples)
            if key.rsplit(".", 1)[-1] != dev:
                bad += 1
            if item in seen[dev]:
                seen[dev][item] += 1
            else:
                seen[dev][item] = 1
                order[dev].append(item)
    ok = bad == 0 and foreign == 0
    total_dup = 0
    for dev in sorted(expected):
        want = {(s, j) for s in expected[dev] for j in range(samples)}
        got = set(seen[dev])
        missing = want - got
        extra = got - want
        dups = sum(c - 1 for c in seen[dev].values())
        total_dup += dups
        # Places where the order goes back: the translations before such a place
        # overtook the backlog that follows it.
        descents = [(a, b) for a, b in zip(order[dev], order[dev][1:]) if b < a]
        print("%s: %d accepted requests, %d translations expected, %d arrived (%d duplicates), "
              "%d missing, %d unexpected; in order but at %d places (at most %d: one per bridge reconnect)"
              % (dev, len(expected[dev]), len(want), len(got) + dups, dups, len(missing), len(extra),
                 len(descents), allowed[dev]))
        for a, b in descents:
            print("  request %d sample %d arrived just before request %d sample %d" % (a + b))
        if missing:
            print("  missing (request, sample): %s" % sorted(missing)[:20])
            local = os.environ.get("FLEET_LOCAL", "").split()
            for seq, j in sorted(missing)[:5]:
                t = (BASE + timedelta(seconds=seq * samples + j)).strftime('"time_event":"%Y-%m-%d %H:%M:%S')
                hits = []
                for path in local:
                    with open(path, errors="replace") as f:
                        hits += [path for line in f if t in line and '"mppt_id":"%s"' % dev in line]
                print("  request %d sample %d: published locally %d times %s" % (seq, j, len(hits), sorted(set(hits))))
        if extra:
            print("  unexpected (request, sample): %s" % sorted(extra)[:20])
        if missing or extra or len(descents) > allowed[dev] or not want:
            ok = False
    if foreign or bad:
        print("%d translations of other devices, %d unreadable or under the wrong routing key" % (foreign, bad))
    print("duplicates: %d" % total_dup)
    return 0 if ok else 1


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "count" and len(args) == 1:
        print(count(args[0]))
        return 0
    if cmd == "wait" and len(args) == 3:
        return wait(args[0], int(args[1]), float(args[2]))
    if cmd == "drain" and len(args) == 2:
        return drain(args[0], args[1])
    if cmd == "check" and len(args) >= 3:
        return check(args[0], int(args[1]), args[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
