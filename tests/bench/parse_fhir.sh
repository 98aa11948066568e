#!/usr/bin/env bash
# parse_fhir.sh - FHIR parse throughput (MB/s, referrals/s) beside a
# baseline measured in the same run on the same bytes: json-c building its
# tree (FHIR JSON; beside it the hub's own JSON tree alone, to show what
# the mapping costs) and libxml2 building its tree (FHIR XML).  Aim: parse
# time within 1.5 times the library's tree.
#
#   tests/bench/parse_fhir.sh [BUILD_DIR]
#
# BUILD_DIR (default build-bench) is configured as a Release build without
# sanitizers when it does not exist.  PASSES and ROUNDS (environment)
# change how long it runs; the best round of each side is reported.
# Inputs: one referral a document (the UK test referrals in tests/data/fhir
# and the corpus's e-RS, BaRS and UK Core referrals), then one searchset
# Bundle of BUNDLE_N referrals made from tests/data/fhir/uk_referral_r4.*.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-bench}
corpus=${PARS_CORPUS:-$src/../shared/corpus}
data=$src/tests/data/fhir
passes=${PASSES:-300}
rounds=${ROUNDS:-9}
bundle_n=${BUNDLE_N:-200}

if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
	    >/dev/null
fi
cmake --build "$build" -j2 --target pars-bench-parse >/dev/null
bench=$build/tests/pars-bench-parse

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A searchset Bundle of bundle_n copies of the UK referral's entries, each
# copy with its own urn:uuid references and UBRN.
{
	printf '{\n  "resourceType": "Bundle",\n  "type": "searchset",\n'
	printf '  "entry": [\n'
	entries=$(sed -n '/^  "entry": \[$/,/^  \]$/p' \
	    "$data/uk_referral_r4.json" | sed '1d;$d')
	for i in $(seq 1 "$bundle_n"); do
		[ "$i" -gt 1 ] && printf ',\n'
		printf '%s' "$entries" | sed "s/urn:uuid:/urn:uuid:$i-/g;
		    s/000049215537/$(printf '%012d' "$i")/"
	done
	printf '\n  ]\n}\n'
} >"$work/bundle.json"
{
	printf '<?xml version="1.0" encoding="UTF-8"?>\n'
	printf '<Bundle xmlns="http://hl7.org/fhir">\n'
	printf '  <type value="searchset"/>\n'
	entries=$(sed -n '/^  <entry>$/,$p' "$data/uk_referral_r4.xml" |
	    sed '$d')
	for i in $(seq 1 "$bundle_n"); do
		printf '%s\n' "$entries" | sed "s/urn:uuid:/urn:uuid:$i-/g;
		    s/000049215537/$(printf '%012d' "$i")/"
	done
	printf '</Bundle>\n'
} >"$work/bundle.xml"

json_docs=(
	"$data/uk_referral_r4.json"
	"$data/revoked_r4.json"
	"$corpus/ers-fhir/r4-searchServiceRequest-ResponseExampleReferral.json"
	"$corpus/ers-fhir/stu3-ReferralRequest-BookedDBS.json"
	"$corpus/ers-fhir/stu3-ReferralRequest-Unbooked.json"
	"$corpus/ers-fhir/stu3-createReferral-response-ReferralRequest.json"
	"$corpus/ers-fhir/eRS-createreferral-request-withPathway.json"
	"$corpus/bars-fhir/BaRS-ValidationRequest-message-bundle.json"
	"$corpus/bars-fhir/BaRS-ServiceRequest-id-GET-success.json"
)
xml_docs=(
	"$data/uk_referral_r4.xml"
	"$data/transaction_r4.xml"
	"$data/stu3_referralrequest.xml"
	"$data/entered_in_error.xml"
	"$corpus/bars-fhir/REFREQ01-111-to-ED.xml"
	"$corpus/bars-fhir/SERVREQ01-ServiceRequest-Revoked.xml"
	"$corpus/fhir-ukcore/UKCore-ServiceRequest-ColonoscopyRequest-Example.xml"
	"$corpus/fhir-ukcore/UKCore-ServiceRequest-HipReplacement-Example.xml"
)

# Bundle passes scaled so that both sets parse about the same bytes.
big_passes=$((passes / 20 > 0 ? passes / 20 : 1))

echo "== FHIR JSON, one referral a document"
"$bench" -n "$passes" -r "$rounds" fhir-json "${json_docs[@]}"
echo "== FHIR JSON, a searchset Bundle of $bundle_n referrals"
"$bench" -n "$big_passes" -r "$rounds" fhir-json "$work/bundle.json"
echo "== FHIR XML, one referral a document"
"$bench" -n "$passes" -r "$rounds" fhir-xml "${xml_docs[@]}"
echo "== FHIR XML, a searchset Bundle of $bundle_n referrals"
"$bench" -n "$big_passes" -r "$rounds" fhir-xml "$work/bundle.xml"
