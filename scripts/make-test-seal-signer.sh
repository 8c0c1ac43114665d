#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Makes the project's test seal signer: an EC key and its self-signed certificate (C=UT, CN=GW, serial 0x1A,
# so seals name it signer "UTGW", certificate reference "1A"), plus a trust-store folder holding only the
# certificate, for `docinspect --trust-store DIR` / GW_TRUST_STORE. Test material only: never a real signer.
#
#   scripts/make-test-seal-signer.sh [OUT_DIR] [CURVE]     (defaults: build/test-seal-signer, prime256v1)
#
# Writes OUT_DIR/seal-signer.key (PEM, unencrypted), OUT_DIR/seal-signer.pem and OUT_DIR/trust/UTGW-1A.pem.
# Keys are random; subject, serial and the 20-year validity are fixed. The C++ tests do not need this
# script: they generate their own signer in memory (gw::specimen::SealSigner::generate).
set -eu

out=${1:-build/test-seal-signer}
curve=${2:-prime256v1}
case "$curve" in
  prime256v1|brainpoolP224r1|brainpoolP256r1|secp384r1|brainpoolP384r1) ;;
  *) echo "make-test-seal-signer: unsupported curve '$curve'" >&2; exit 2 ;;
esac
command -v openssl >/dev/null 2>&1 || { echo "make-test-seal-signer: openssl not found (apt-get install openssl)" >&2; exit 1; }

mkdir -p "$out/trust"
umask 077
openssl ecparam -name "$curve" -genkey -noout -out "$out/seal-signer.key.tmp"
openssl pkcs8 -topk8 -nocrypt -in "$out/seal-signer.key.tmp" -out "$out/seal-signer.key"
rm -f "$out/seal-signer.key.tmp"
umask 022
openssl req -new -x509 -key "$out/seal-signer.key" -subj "/C=UT/CN=GW" -set_serial 0x1A -days 7300 \
  -sha256 -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" \
  -out "$out/seal-signer.pem"
cp "$out/seal-signer.pem" "$out/trust/UTGW-1A.pem"
echo "test seal signer UTGW/1A ($curve): key $out/seal-signer.key, trust store $out/trust"
