#!/bin/sh
echo "${GREETING:-hello}, compiled by mstage"
