"""Sends StatsD traffic with python3-statsd (Debian's package, not the portal's code) at a steady rate.

Usage: /usr/bin/python3 send.py PORT RATE SECONDS PREFIX
Sends RATE metrics per second for SECONDS through StatsClient pipelines (several metrics per UDP
packet, at most 512 bytes, as the library packs them): 90 % counters over 100 names (value 1),
10 % timers over 10 names. Prints one JSON line: what was sent, for the bench to compare with what
the portal stored.
"""
import json
import sys
import time

import statsd

port, rate, seconds, prefix = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
client = statsd.StatsClient('127.0.0.1', port, prefix=prefix)
tick = 0.01
per_tick = rate * tick
counters = 0
timers = 0
timer_sum = 0
i = 0
owed = 0.0
start = time.monotonic()
next_tick = start
while True:
    now = time.monotonic()
    if now - start >= seconds:
        break
    owed += per_tick
    n = int(owed)
    owed -= n
    with client.pipeline() as pipe:
        for _ in range(n):
            if i % 10 == 9:
                v = i % 500
                pipe.timing('t.%d' % (i % 10), v)
                timers += 1
                timer_sum += v
            else:
                pipe.incr('c.%d' % (i % 100))
                counters += 1
            i += 1
    next_tick += tick
    delay = next_tick - time.monotonic()
    if delay > 0:
        time.sleep(delay)
elapsed = time.monotonic() - start
print(json.dumps({"counters": counters, "timers": timers, "timer_sum": timer_sum,
                  "elapsed": elapsed, "rate": (counters + timers) / elapsed}))
