#!/bin/sh
# Installs Debian's wrk (an HTTP load generator written in C) for `make bench`, only when it is
# missing. Needs root and apt-get, as on CI; without them it says so and exits 0: the benchmark
# then falls back to its own Python load generator (benchmarks/api_bench.py) and says so too.
set -e
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "wrk is missing: install Debian's wrk package (apt-get install wrk); the API benchmark" \
         "uses its own Python load generator without it" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq wrk >/dev/null 2>&1; then
    apt-get update -qq || true
    apt-get install -y -qq wrk >/dev/null || { echo "wrk could not be installed: the API benchmark uses its own" \
        "Python load generator" >&2; exit 0; }
fi
command -v wrk
