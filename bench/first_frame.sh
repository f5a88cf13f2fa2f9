#!/bin/bash
# Time to the first frame of `wangge open P.gpkg` under Xvfb (issue 13, item 3; see BENCHMARKS.md):
# each step the app marks with WANGGE_TIMING=1 (read, first frame laid out and painted, caches landed),
# in ms since the process was launched. Run from the repository root.
# usage: bench/first_frame.sh BIN PROJECT.gpkg [RUNS] [DISPLAY]
BIN=$1; P=$2; RUNS=${3:-3}; DPY=${4:-:97}
if [ ! -e /tmp/.X11-unix/X${DPY#:} ]; then
  Xvfb $DPY -screen 0 1400x900x24 >/dev/null 2>&1 & XPID=$!
  sleep 1
fi
CFG=$(mktemp -d)
for i in $(seq $RUNS); do
  start=$(date +%s.%N)
  DISPLAY=$DPY WANGGE_CONFIG_DIR=$CFG WANGGE_TIMING=1 $BIN open $P 2>$CFG/log &
  PID=$!
  for t in $(seq 600); do grep -q "coverage landed" $CFG/log && break; sleep 0.1; done
  sleep 0.3
  kill $PID 2>/dev/null; wait $PID 2>/dev/null
  echo "run $i"
  grep "wangge timing" $CFG/log | sed -E 's/^wangge timing: (.*) at ([0-9]+) ms \(unix ([0-9.]+), cpu ([0-9]+) ms\)$/\3 \4 \1/' |
    while read -r unix cpu what; do
      printf "  %6.0f ms wall %6s ms cpu  %s\n" "$(echo "($unix - $start) * 1000" | bc -l)" "$cpu" "$what"; done
done
rm -rf "$CFG"
[ -n "$XPID" ] && kill $XPID
