#!/bin/sh
# no_libnet.sh - stands in for the unit tests that craft packets
# (test_decode, test_frag, test_detect) when configure found no libnet:
# says why they did not run, and is counted as skipped.
echo "SKIP: test_decode, test_frag and test_detect need libnet: install the Debian package libnet1-dev and re-run configure"
exit 77
