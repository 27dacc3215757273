#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The client library functional tests against dvs-db (see client_lib.sh).
DBC_SERVER=dvs exec bash "$(dirname "$0")/client_lib.sh" "$@"
