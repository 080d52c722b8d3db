"""Sends StatsD traffic with python3-statsd (Debian's package, not the portal's code) at a steady rate.

Usage: /usr/bin/python3 send.py PORT RATE SECONDS PREFIX [MODE] [NAMES]
Sends RATE metrics per second for SECONDS: 90 % counters over NAMES names (default 100, value 1),
10 % timers over 10 names. MODE "pipeline" (default) sends through StatsClient pipelines (several
metrics per UDP packet, at most 512 bytes, as the library packs them); "single" sends one metric per
packet (client.incr / client.timing, what most applications do), the receiver's hardest case; "raw"
sends the same single-metric packets as "single", built once and written with socket.sendto (the
library's per-call Python costs too much CPU to reach 100k packets/s on a loaded 2-core machine).
Prints one JSON line: what was sent, for the bench to compare with what the portal stored.
"""
import json
import math
import socket
import sys
import time

import statsd

port, rate, seconds, prefix = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
mode = sys.argv[5] if len(sys.argv) > 5 else 'pipeline'
names = int(sys.argv[6]) if len(sys.argv) > 6 else 100
client = statsd.StatsClient('127.0.0.1', port, prefix=prefix)
if mode == 'raw':
    # The same bytes client.incr / client.timing would send, one metric per packet, cycled.
    period = math.lcm(500, 10 * names)
    packets = []
    for k in range(period):
        if k % 10 == 9:
            packets.append(('%s.t.%d:%d|ms' % (prefix, k % 10, k % 500)).encode('ascii'))
        else:
            packets.append(('%s.c.%d:1|c' % (prefix, k % names)).encode('ascii'))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    address = ('127.0.0.1', port)
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
    if mode == 'raw':
        for _ in range(n):
            k = i % period
            sock.sendto(packets[k], address)
            if k % 10 == 9:
                timers += 1
                timer_sum += k % 500
            else:
                counters += 1
            i += 1
        n = 0
    pipe = client.pipeline() if mode == 'pipeline' else client
    for _ in range(n):
        if i % 10 == 9:
            v = i % 500
            pipe.timing('t.%d' % (i % 10), v)
            timers += 1
            timer_sum += v
        else:
            pipe.incr('c.%d' % (i % names))
            counters += 1
        i += 1
    if pipe is not client:
        pipe.send()
    next_tick += tick
    delay = next_tick - time.monotonic()
    if delay > 0:
        time.sleep(delay)
elapsed = time.monotonic() - start
print(json.dumps({"counters": counters, "timers": timers, "timer_sum": timer_sum,
                  "elapsed": elapsed, "rate": (counters + timers) / elapsed}))
