#!/bin/sh
# Installs the Debian packages pmtimeline needs to build and test, only those missing.
# Used by `make demo` and `make test`, so a fresh Debian 12 machine needs nothing else.
set -eu

pkgs="build-essential pkg-config libpcre2-dev zlib1g-dev libcsv-dev libcmocka-dev libyaml-dev libjansson-dev tzdata"
[ "${PMT_WITH_SAMPLE_TOOLS:-0}" = 1 ] && pkgs="$pkgs rsyslog faketime bsdutils nginx-light puppet curl"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "pmtimeline: installing missing packages:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "pmtimeline: apt-get not found; install these packages by hand:$missing" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=sudo
    else
        echo "pmtimeline: not root; run as root: apt-get install$missing" >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
    # The package lists may be missing or stale on a fresh machine: refresh once and retry.
    $SUDO apt-get update -qq || { echo "pmtimeline: apt-get update failed; check the network or mirror" >&2; exit 1; }
    $SUDO apt-get install -y -qq --no-install-recommends $missing || {
        echo "pmtimeline: could not install:$missing (run: apt-get install$missing)" >&2
        exit 1
    }
fi
