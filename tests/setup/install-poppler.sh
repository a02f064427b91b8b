#!/bin/sh
# Installs Debian's poppler-utils (pdftoppm, pdftotext, pdfinfo) for the tests that render the PDF
# reports to images (tests/test_reports_browser.py) and for `make reports` (the screenshots in
# docs/examples/), only when it is missing. Run by `make test`; needs root and apt-get, as on CI.
set -e
if command -v pdftoppm >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "pdftoppm is missing: install Debian's poppler-utils package (apt-get install poppler-utils);" \
         "the PDF rendering tests are skipped without it" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq poppler-utils >/dev/null
command -v pdftoppm
