#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The client library functional tests against OVS's ovsdb-server (see client_lib.sh).
DBC_SERVER=ovs exec bash "$(dirname "$0")/client_lib.sh" "$@"
