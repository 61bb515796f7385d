#!/bin/sh
# The api service: answers one request.
SERVICE=api
. "$(dirname "$0")/../lib/common.sh"
[ "$1" = --self-test ] && self_test
say "ready to serve"
