#!/usr/bin/env bash
# Installs what `make test` needs on Debian 12, when it is missing:
#   - chromium and fonts-liberation   (browser tests with chromedp; PDF fonts)
#   - postgresql-15                   (the store suites start a throwaway cluster)
#   - gcc and libc6-dev               (`go test -race` needs cgo)
#   - poppler-utils                   (invoice and QR-bill PDFs are rendered to images in tests)
# Idempotent and silent when everything is present. Needs root to install;
# otherwise it says what is missing and leaves it (PostgreSQL tests are then
# skipped, or fail when CI is set).
set -euo pipefail

missing=()

have() { command -v "$1" >/dev/null 2>&1; }

deb_installed() {
	have dpkg-query && dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

pg_present() {
	local dir=/usr/lib/postgresql/15/bin
	{ [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ]; } || { have postgres && have initdb; }
}

have chromium || missing+=(chromium)
if have dpkg-query && ! deb_installed fonts-liberation; then
	missing+=(fonts-liberation)
fi
pg_present || missing+=(postgresql-15)
have pdftoppm || missing+=(poppler-utils)
cc=$(go env CC 2>/dev/null || true)
have "${cc:-gcc}" || missing+=(gcc libc6-dev)

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "install-test-deps: missing: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "install-test-deps: not root, so NOT installing them. As root, run:" >&2
	echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
	echo "install-test-deps: without them, browser and PostgreSQL tests are skipped (or fail when CI is set)." >&2
	exit 0
fi
if ! have apt-get; then
	echo "install-test-deps: no apt-get (not Debian?): install ${missing[*]} by hand." >&2
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: apt-get update" >&2
apt-get update -qq
echo "install-test-deps: apt-get install ${missing[*]}" >&2
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-test-deps: installed ${missing[*]}" >&2
