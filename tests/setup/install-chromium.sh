#!/bin/sh
# Installs Debian's chromium for the browser tests of the reports (tests/test_reports_browser.py),
# only when it is missing. Run by `make test`; needs root and apt-get, as on CI.
set -e
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing: install Debian's chromium package (apt-get install chromium);" \
         "the browser tests are skipped without it" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
command -v chromium
