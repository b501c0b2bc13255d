#!/usr/bin/env bash
# A demo HA resource for the local cluster. It appends to its own trace file
#   $TRACE_DIR/<resource>.<node>.<token>.<pid>
# "start <ms>", then "beat <ms>" every 100 ms, and "stop <ms>" on SIGTERM (wall-clock milliseconds, no forks
# for the clock), so a checker can prove that two instances were never alive at the same time.
set -u
id="${PALISADE_RESOURCE//:/_}"
f="$TRACE_DIR/$id.$PALISADE_NODE.$PALISADE_TOKEN.$$"
ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:13}"; }
echo "start $(ms)" >> "$f"
trap 'echo "stop $(ms)" >> "$f"; exit 0' TERM
while :; do
  echo "beat $(ms)" >> "$f"
  sleep 0.1 &
  wait $!
done
