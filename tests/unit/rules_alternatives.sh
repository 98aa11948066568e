#!/usr/bin/env bash
# Every alternative service a rule in conf/rules names is in the shipped
# catalogue (conf/refdata/alternative-services.csv), so every PUN of the
# starter library can be priced.
set -euo pipefail
src=$1
known=$(grep -v '^#' "$src/conf/refdata/alternative-services.csv" | tail -n +2 | cut -d, -f1 | sort -u)
named=$(grep -h '^ *alternative:' "$src"/conf/rules/*.yaml | awk '{print $2}' | sort -u)
[ -n "$named" ] || { echo "FAIL: no rule names an alternative"; exit 1; }
missing=$(comm -23 <(echo "$named") <(echo "$known"))
if [ -n "$missing" ]; then
    echo "FAIL: rules name alternative services not in the catalogue: $missing"
    exit 1
fi
echo "ok: $(echo "$named" | wc -l) alternative services named by rules, all in the catalogue"
