#!/usr/bin/env bash
# Installs what the browser tests need from Debian: Chromium (driven by
# Playwright through /usr/bin/chromium), zbarimg (decodes printed QR codes)
# CJK fonts (so screenshots show Chinese text) and poppler-utils (pdftoppm,
# pdftotext: the certificate PDF tests read the printed page back).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
command -v pdftoppm >/dev/null || missing+=(poppler-utils) # certificate PDFs: render, extract text
fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-browser-tools: install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "ensure-browser-tools: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
/usr/bin/chromium --version
