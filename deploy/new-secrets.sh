#!/bin/sh
# Prints fresh secrets for the compose stack, in the .env format compose reads:
#   deploy/new-secrets.sh > deploy/.env
# An API key of 64 hex characters, a 32-byte BATCHLINE_SECRET_KEY and a Standard Webhooks secret, all from
# /dev/urandom. Keep the file: a new BATCHLINE_SECRET_KEY cannot open what the old one sealed.
set -eu
random_base64() { head -c "$1" /dev/urandom | base64 | tr -d '\n'; }
printf 'BATCHLINE_API_KEYS=%s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf 'BATCHLINE_SECRET_KEY=%s\n' "$(random_base64 32)"
printf 'WEBHOOK_SECRET=whsec_%s\n' "$(random_base64 32)"
