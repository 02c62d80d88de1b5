#!/usr/bin/env bash
# cli_report_browser: the HTML report as a reader opens it, in headless Chromium: every figure loads
# (decoded, non-zero width), and the page raises no error (script errors, failed resources, console
# errors). A copy with one figure broken must fail the same check, so the check can fail. Skipped, with
# a message, where Chromium is not installed (scripts/install-deps.sh installs it).
set -u
WS=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROMIUM" ]; then
    echo "SKIP cli_report_browser: no chromium on PATH (Debian package chromium; scripts/install-deps.sh installs it)"
    exit 0
fi
export SOURCE_DATE_EPOCH=1767225600
H100=$SRC/data/measured/h100
mkdir -p "$T/a"
"$WS" ingest -q --db "$T/a/ws.db" --arch "NVIDIA H100 80GB HBM3" --work-column 'samples_per_s*duration_s' \
    --work-unit samples "$H100"/jobs_r*.csv &&
    "$WS" ingest -q --db "$T/a/ws.db" --work 520000000 --work-unit samples "$SRC/data/studies/baler_t4_amp.csv" &&
    (cd "$T/a" && "$WS" simulate "$SRC/scenarios/lhc-baler-whatif-small.json" --db ws.db --replicas 2 --out out \
        --plots plots --quiet >/dev/null)
check "what-if run for the report" test $? -eq 0
(cd "$T/a" && "$WS" report 1 --db ws.db --format html --out report.html 2>/dev/null)
check "report --format html --out" test -s "$T/a/report.html"
figures=$(/usr/bin/python3 -c "import json; print(len(json.load(open('$T/a/out/report.json'))['figures']))")
check "the run has four figures" test "$figures" -eq 4

# The probe: placed first in <head>, it records every error (a resource that fails to load reaches a
# capturing listener on window) and, once the page has loaded, writes what it found into the DOM.
cat >"$T/probe.html" <<'PROBE'
<script>
window.wsErrors = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  window.wsErrors.push(t && t.tagName ? 'failed ' + t.tagName : 'script: ' + e.message);
}, true);
window.addEventListener('load', function () {
  var imgs = document.images, broken = 0;
  for (var i = 0; i < imgs.length; i++)
    if (!imgs[i].complete || imgs[i].naturalWidth === 0) broken++;
  var p = document.createElement('pre');
  p.id = 'wscheck';
  p.textContent = 'WSCHECK images=' + imgs.length + ' broken=' + broken + ' errors=' + window.wsErrors.length +
                  ' [' + window.wsErrors.join('; ') + ']';
  document.body.appendChild(p);
});
</script>
PROBE
open_in_chromium() { # open_in_chromium HTML OUT: the DOM after load in OUT, Chromium's log in OUT.log
    /usr/bin/python3 - "$1" "$T/probe.html" "$1.probed.html" <<'PY'
import sys
html, probe, out = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
i = html.index('<head>') + len('<head>')
open(out, 'w').write(html[:i] + probe + html[i:])
PY
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
        --user-data-dir="$T/profile" --enable-logging=stderr --v=0 --virtual-time-budget=5000 \
        --dump-dom "file://$1.probed.html" >"$2" 2>"$2.log"
}
page_ok() { # page_ok DOM N: N figures shown, none broken, no error in the page or on its console
    grep -q "WSCHECK images=$2 broken=0 errors=0 \[\]" "$1" && ! grep -E "CONSOLE.*(Uncaught|Error)|Not allowed to load" "$1.log"
}
open_in_chromium "$T/a/report.html" "$T/dom.html"
check "Chromium opened the report and ran the probe" grep -q "WSCHECK" "$T/dom.html"
check "every figure loads and the page has no errors (Chromium)" page_ok "$T/dom.html" "$figures"
grep -o "WSCHECK images=[^<]*" "$T/dom.html"
check "the headline box is the first section" /usr/bin/python3 -c "
d = open('$T/dom.html').read()
assert d.index('id=\"headline\"') < d.index('Projected per day, per variant') < d.index('<h2>Methods</h2>') < d.index('<h2>References</h2>')
"
# The same page with the first figure's data cut short: the check must see it.
/usr/bin/python3 - "$T/a/report.html" "$T/broken.html" <<'PY'
import sys, re
html = open(sys.argv[1]).read()
html = re.sub(r'src="data:image/png;base64,[^"]*"', 'src="data:image/png;base64,iVBORw0KGgoAAAA"', html, count=1)
open(sys.argv[2], 'w').write(html)
PY
open_in_chromium "$T/broken.html" "$T/dom_broken.html"
check "a broken figure fails the check" sh -c "! grep -q 'WSCHECK images=$figures broken=0 errors=0' '$T/dom_broken.html' && grep -q 'broken=1' '$T/dom_broken.html'"
finish cli_report_browser
