#!/usr/bin/env bash
# 1,000 lines a second for OPS_VERSION seconds (bursts once a second).
set -eu
for s in $(seq 1 "${OPS_VERSION%%.*}"); do
  seq -f "second $s line %g of 1000: the quick brown fox jumps over the lazy dog" 1 1000
  sleep 1
done
echo "flood done"
