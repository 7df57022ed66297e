#!/usr/bin/env bash
# Install the Debian packages that parts of tracktwo need, when they are missing and we are
# root. Without root we only report: the test suite then skips what cannot run (and fails
# instead when CI=true), and the demo serves everything but PDF downloads.
#   scripts/system-deps.sh test   chromium, PostgreSQL server, pdftotext, Pango, fonts
#   scripts/system-deps.sh demo   Pango and fonts (for PDF briefs)
set -uo pipefail
purpose=${1:-test}

missing=()
need() {  # need <debian-package> <test that succeeds when it is present>
    local pkg=$1; shift
    if ! eval "$@" >/dev/null 2>&1; then missing+=("$pkg"); fi
}

need libpango-1.0-0   'ldconfig -p | grep -q libpango-1.0.so.0'
need libpangoft2-1.0-0 'ldconfig -p | grep -q libpangoft2-1.0.so.0'
need fonts-noto-core  'test -d /usr/share/fonts/truetype/noto'
need fonts-dejavu-core 'test -d /usr/share/fonts/truetype/dejavu'
if [ "$purpose" = test ]; then
    need chromium      'test -x /usr/bin/chromium'
    need postgresql    'ls /usr/lib/postgresql/*/bin/initdb'
    need poppler-utils 'command -v pdftotext'
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]} ..."
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/tracktwo-apt.log 2>&1; then
        apt-get update -q >>/tmp/tracktwo-apt.log 2>&1
        apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/tracktwo-apt.log 2>&1 \
            || echo "Could not install ${missing[*]} (see /tmp/tracktwo-apt.log); the parts that need them will say so." >&2
    fi
else
    echo "Not root, so not installing: ${missing[*]}. Run 'sudo apt-get install ${missing[*]}' to enable what needs them." >&2
fi
exit 0
