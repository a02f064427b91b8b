#!/bin/sh
# Installs Debian's Virtuoso (package virtuoso-opensource) for the remote-store tests
# (tests/test_backends.py), only when `virtuoso-t` is missing. Run by `make test`; needs root
# (or sudo) and apt-get, as on CI. It never fails the run: without Virtuoso its tests are skipped.
#
# The tests start a private server of their own (own database, own ports), so the package's
# system service is not needed: it is kept from starting while the package is configured and
# disabled at boot; debconf's DBA password question is left unanswered (noninteractive).
if command -v virtuoso-t >/dev/null 2>&1; then
    exit 0
fi
skip() {
    echo "virtuoso-t is missing and could not be installed ($1): install Debian's" \
         "virtuoso-opensource package; the Virtuoso tests are skipped without it" >&2
    exit 0
}
command -v apt-get >/dev/null 2>&1 || skip "no apt-get"
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        skip "not root and no password-less sudo"
    fi
fi
# Keep the package's init script from starting a system daemon (invoke-rc.d asks policy-rc.d),
# unless the machine already has such a policy; ours is removed again on the way out.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod 755 "$POLICY" &&
        trap '$SUDO rm -f "$POLICY"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    virtuoso-opensource >/dev/null 2>&1 || skip "apt-get install virtuoso-opensource failed"
command -v virtuoso-t >/dev/null 2>&1 || skip "the package installed no virtuoso-t"
# The package enables its service at boot, with the default dba password: not wanted here.
$SUDO update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true
command -v virtuoso-t
