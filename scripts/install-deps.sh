#!/usr/bin/env bash
# Installs the Debian packages wattscale needs, only those that are missing; sudo only when not root.
# Extra packages can be named as arguments (bench/simgrid/run.sh asks for libsimgrid-dev this way).
set -euo pipefail
PKGS=(build-essential cmake pkg-config git
      libgsl-dev libsqlite3-dev sqlite3 libcjson-dev libssl-dev
      libplplot-dev plplot-driver-cairo
      libopenmpi-dev openmpi-bin libcmocka-dev time clang
      slurm-wlm munge
      chromium
      python3 python3-pandas python3-matplotlib python3-numpy jupyter-nbconvert python3-ipykernel
      "$@")
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} Debian packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
