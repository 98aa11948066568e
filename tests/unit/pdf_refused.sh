#!/bin/bash
# pars parse on a PDF (the e-RS clinical information summary) must fail
# with a clear message that names the PDF, and print no referral.
#   pdf_refused.sh PARS PDF
set -u
pars=$1 pdf=$2
out=$("$pars" parse "$pdf" 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 0 ]; then
	echo "pars parse exited 0 on a PDF" >&2
	exit 1
fi
case $out in
*"the file is a PDF"*) echo "ok: $out"; exit 0 ;;
*) echo "unclear message for a PDF: $out" >&2; exit 1 ;;
esac
