#!/usr/bin/env bash
# The report as a person sees it: the HTML opened in a real headless
# browser (Debian's chromium) at a phone's width and a desktop's, with
# every network request sent to a recording proxy (there must be none)
# and the console watched for errors; screenshots checked to be drawn
# (not blank, the practice's highlight colour present); the PDF turned
# into pages with pdftoppm and its text read back with pdftotext.
. "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null || it_fail "chromium is not installed (apt-get install chromium)"
it_setup report_render
python3 "$PARS_SRC/tests/integration/report_data.py" sql >"$IT_DIR/data.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$IT_NAME" -f "$IT_DIR/data.sql"
"$PARS/pars" report run --period 2025-01 P10001 >/dev/null
DIR=$IT_DIR/state/reports/P10001/2025-01
HTML=$DIR/P10001-2025-01.html PDF=$DIR/P10001-2025-01.pdf
PNG="python3 $PARS_SRC/tests/integration/png_stats.py"

it_log "self-contained: no script, no external resource"
grep -qi '<script' "$HTML" && it_fail "the HTML has a script"
refs=$(grep -oE '(src|href)=|url\(|@import|https?://[^"]*' "$HTML" |
    grep -v '^http://www.w3.org/2000/svg$' || true)
[ -z "$refs" ] || it_fail "external references: $refs"

it_log "a recording proxy on loopback: any request from the page lands there"
cat >"$IT_DIR/proxy.py" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(120)
log = open(sys.argv[2], "a")
try:
    while True:
        c, _ = s.accept()
        c.settimeout(2)
        try:
            log.write(c.recv(200).split(b"\r\n")[0].decode("latin-1") + "\n")
        except OSError:
            log.write("connection\n")
        log.flush()
        c.close()
except socket.timeout:
    pass
PY
: >"$IT_DIR/requests.log"
python3 "$IT_DIR/proxy.py" "$IT_DIR/proxy.port" "$IT_DIR/requests.log" &
PROXY=$!
trap 'kill $PROXY 2>/dev/null || true; it_cleanup' EXIT
for _ in $(seq 50); do [ -s "$IT_DIR/proxy.port" ] && break; sleep 0.1; done
port=$(cat "$IT_DIR/proxy.port")

# Chromium's own services (updates, sign-in) call out even with every
# background flag set; those calls go to the proxy too, so a blank page is
# opened first and the report may reach no host that the blank page did
# not.
hosts() { sed -E 's/^[A-Z]+ (https?:\/\/)?([^/: ]+).*/\2/' "$1" | sort -u; }
shot() { # shot WIDTH,HEIGHT OUT [URL]
    rm -rf "$IT_DIR/chromium"
    timeout 120 chromium --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update \
        --disable-sync --no-first-run --user-data-dir="$IT_DIR/chromium" \
        --proxy-server="http://127.0.0.1:$port" --proxy-bypass-list='<-loopback>' \
        --enable-logging=stderr --v=0 --window-size="$1" \
        --screenshot="$2" "${3:-file://$HTML}" >"$2.log" 2>&1 ||
        it_fail "chromium failed: $(tail -3 "$2.log")"
    [ -s "$2" ] || it_fail "no screenshot $2"
    if grep -E 'CONSOLE|Uncaught|Refused to|net::ERR' "$2.log"; then
        it_fail "the page logged errors (above)"
    fi
}
shot 412,800 "$IT_DIR/blank.png" about:blank
sleep 1
cp "$IT_DIR/requests.log" "$IT_DIR/blank-requests.log"
: >"$IT_DIR/requests.log"
for size in 412,2400 1280,3000; do
    shot "$size" "$IT_DIR/shot-$size.png"
    read -r w h nonwhite mine <<<"$($PNG "$IT_DIR/shot-$size.png" c2410c)"
    it_log "screenshot $w x $h: $nonwhite of it drawn, $mine pixels of the highlight"
    it_eq "$w,$h" "$size" "screenshot size"
    awk -v v="$nonwhite" 'BEGIN { exit !(v > 0.05 && v < 0.95) }' ||
        it_fail "screenshot $size looks blank ($nonwhite drawn)"
    [ "$mine" -gt 50 ] || it_fail "the chart's highlight is not on screen"
done
sleep 1
extra=$(comm -23 <(hosts "$IT_DIR/requests.log") <( (hosts "$IT_DIR/blank-requests.log";
    printf '%s\n' accounts.google.com clients2.google.com update.googleapis.com) | sort -u))
[ -z "$extra" ] || it_fail "the page made requests to: $extra"
it_log "requests by the browser itself (on a blank page too): $(hosts "$IT_DIR/blank-requests.log" | tr '\n' ' ')"

it_log "the PDF: pages drawn, text extractable"
pdftoppm -r 50 -png "$PDF" "$IT_DIR/page"
pages=$(ls "$IT_DIR"/page-*.png | wc -l)
[ "$pages" -ge 3 ] || it_fail "only $pages PDF page(s)"
for p in "$IT_DIR"/page-*.png; do
    read -r w h nonwhite mine <<<"$($PNG "$p")"
    awk -v v="$nonwhite" 'BEGIN { exit !(v > 0.01) }' || it_fail "$p is blank"
done
pdftotext "$PDF" "$IT_DIR/pdf.txt"
tr -s ' \n' '  ' <"$IT_DIR/pdf.txt" >"$IT_DIR/pdf.flat"
for want in "Referral feedback for Alder Surgery (P10001)" \
    "referrals in the period" "What you could do:" "Funnel plot" \
    "Twelve-month trend" "P10001-0000" "Community MSK service" \
    "Data quality" "another practice and referrer a clinician"; do
    grep -qF "$want" "$IT_DIR/pdf.flat" || it_fail "the PDF's text lacks \"$want\""
done
# the figures in the PDF are the CSV's
csvrate=$(grep '^summary,3,' "$DIR/P10001-2025-01.csv" | sed 's/.*,//; s/\r//')
grep -qE "patients +$csvrate" "$IT_DIR/pdf.txt" || grep -qF "$csvrate" "$IT_DIR/pdf.txt" ||
    it_fail "the PDF lacks the rate $csvrate"
echo "test_report_render: ok ($pages PDF pages)"
