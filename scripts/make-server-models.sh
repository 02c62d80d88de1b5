#!/usr/bin/env bash
# Regenerate the shipped server power models (models/server-*.json) and their table (models/servers.csv)
# from data/hardware/ with `wattscale fit --family server`; a rerun writes the same bytes. The held-out
# check (README "Server power models from HEPiX and SPECpower") is printed at the end.
# Usage: scripts/make-server-models.sh [WATTSCALE_BINARY]   (default build/wattscale)
set -euo pipefail
cd "$(dirname "$0")/.."
WS=${1:-build/wattscale}
case $WS in /*) ;; *) WS=$PWD/$WS ;; esac
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01T00:00:00Z: the fitted_at stamp of the shipped models
DB=$(mktemp -d)
trap 'rm -rf "$DB"' EXIT
rm -f models/servers.csv
fit() { # fit ARCH PATTERN [--sockets N] [--smt on|off]
    local arch=$1 cpu=$2
    shift 2
    "$WS" --db "$DB/w.db" fit --family server --cpu "$cpu" --arch "$arch" "$@" \
        --out "models/server-$arch.json" --csv models/servers.csv
}
# AMD EPYC: Rome, Milan, Genoa, Turin
fit epyc-7502 '*EPYC 7502 32-Core*'
fit epyc-7313 '*EPYC 7313 16-Core*'
fit epyc-7763 '*EPYC 7763 64-Core*'
fit epyc-9354 '*EPYC 9354 32-Core*'
fit epyc-9554 '*EPYC 9554 64-Core*'
fit epyc-9655 '*EPYC 9655 96-Core*' --sockets 2 --smt on
fit epyc-9755 '*EPYC 9755 128-Core*' --smt on
fit epyc-9965 '*EPYC 9965 192-Core*'
# Intel Xeon Scalable: Skylake, Ice Lake, Sapphire Rapids, Emerald Rapids
fit xeon-gold-6126 '*Gold 6126 CPU*'
fit xeon-gold-6326 '*Gold 6326 CPU*'
fit xeon-gold-6454s '*Gold 6454S*'
fit xeon-gold-6530 '*GOLD 6530*'
fit xeon-platinum-8592 '*PLATINUM 8592+*'
# Arm: Ampere Altra Max, NVIDIA Grace
fit altra-max-m128-30 '*Ampere(R) Altra(R) Max*'
fit grace '*Grace A02*'
"$WS" fit --family server --check-holdout
