#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Makes a throw-away test PKI for the TLS link: a CA, the host's certificate and one per scanner.
#
# Usage: scripts/make-test-pki.sh DIR [DEVICE_ID ...]      (default device id: GW-EMU-0001)
#
# DIR gets ca.crt/ca.key, host.crt/host.key (CN gw-host; SAN localhost, gw-host, 127.0.0.1, ::1;
# serverAuth) and <DEVICE_ID>.crt/.key per scanner (CN = device id; clientAuth). Keys are ECDSA P-256,
# unencrypted, mode 0600. Idempotent: files that exist and verify against ca.crt are kept, missing ones are
# added (a new CA is only made when ca.crt/ca.key are missing, and then every certificate is reissued).
# For tests and labs only; production certificates come from the Marechaussee PKI.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 DIR [DEVICE_ID ...]" >&2
    exit 2
fi
dir=$1
shift
[ $# -gt 0 ] || set -- GW-EMU-0001
command -v openssl >/dev/null 2>&1 || { echo "$0: the openssl command is missing" >&2; exit 1; }

mkdir -p "$dir"
umask 077
days_ca=3650
days_leaf=825

for id in "$@"; do
    case $id in
        *[!A-Za-z0-9._-]* | '') echo "$0: device id '$id' must be letters, digits, '.', '_' or '-'" >&2; exit 2 ;;
    esac
done

new_key() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

if [ ! -s "$dir/ca.crt" ] || [ ! -s "$dir/ca.key" ]; then
    new_key "$dir/ca.key"
    openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$days_ca" \
        -subj "/O=Grenswacht test/CN=Grenswacht Test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$dir/ca.crt"
    rm -f "$dir/host.crt" "$dir"/*.srl
    for id in "$@"; do rm -f "$dir/$id.crt"; done
    echo "made CA $dir/ca.crt"
fi

# issue NAME CN EXTENSIONS: a leaf certificate signed by the CA, kept when it still verifies.
issue() {
    name=$1
    cn=$2
    ext=$3
    if [ -s "$dir/$name.crt" ] && [ -s "$dir/$name.key" ] &&
        openssl verify -CAfile "$dir/ca.crt" "$dir/$name.crt" >/dev/null 2>&1; then
        return 0
    fi
    new_key "$dir/$name.key"
    extfile=$(mktemp)
    printf '%s\n' "$ext" >"$extfile"
    openssl req -new -key "$dir/$name.key" -subj "/O=Grenswacht test/CN=$cn" -out "$dir/$name.csr"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
        -days "$days_leaf" -sha256 -extfile "$extfile" -out "$dir/$name.crt" 2>/dev/null
    rm -f "$extfile" "$dir/$name.csr"
    chmod 0644 "$dir/$name.crt"
    echo "made $dir/$name.crt (CN $cn)"
}

issue host gw-host "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:gw-host,IP:127.0.0.1,IP:::1"

for id in "$@"; do
    issue "$id" "$id" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
done
chmod 0644 "$dir/ca.crt"
