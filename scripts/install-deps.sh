#!/bin/sh
# SPDX-License-Identifier: ISC
# Install what rblmon needs to build, test and benchmark on Debian 12.
# Run as root (or with sudo available).
set -eu

packages="build-essential cmake pkg-config
  libc-ares-dev libevent-dev libinih-dev libsqlite3-dev libjansson-dev check
  rbldnsd python3 python3-dnslib python3-prometheus-client time
  systemd man-db groff-base util-linux bsdutils mount"

if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
# Only hit the network when something is missing.
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	$sudo apt-get update -q
	# shellcheck disable=SC2086
	$sudo apt-get install -y -q --no-install-recommends $missing
fi
