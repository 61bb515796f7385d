#!/bin/sh
# The worker service: processes one batch.
SERVICE=worker
. "$(dirname "$0")/../lib/common.sh"
[ "$1" = --self-test ] && self_test
say "processed 1 batch${1:+ ($1)}"
