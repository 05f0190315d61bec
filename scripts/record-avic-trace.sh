#!/usr/bin/env bash
# Record the kernel events avic-lab's `trace` command understands, on an AMD host running KVM
# with AVIC, and write them as text:
#
#   sudo scripts/record-avic-trace.sh [-d SECONDS] [-o OUT.txt] [--no-entry-exit] [--tracefs]
#   avic-lab trace OUT.txt --cpuinfo /proc/cpuinfo
#
# Uses trace-cmd when installed (record + report), else tracefs directly. Needs root, an
# AuthenticAMD CPU and the kvm_amd module; refuses politely otherwise. Run a guest with an
# assigned device (VFIO) and AVIC enabled (kvm_amd avic=1) while it records.
set -u

DURATION=10
OUT="avic-trace.txt"
ENTRY_EXIT=1
FORCE_TRACEFS=0

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    echo "options: -d SECONDS (default $DURATION), -o FILE (default $OUT),"
    echo "         --no-entry-exit (skip the very frequent kvm_entry/kvm_exit; fewer checks run),"
    echo "         --tracefs (do not use trace-cmd even if installed)"
}

while [ $# -gt 0 ]; do
    case "$1" in
        -d|--duration) DURATION="${2:-}"; shift 2 ;;
        -o|--output) OUT="${2:-}"; shift 2 ;;
        --no-entry-exit) ENTRY_EXIT=0; shift ;;
        --tracefs) FORCE_TRACEFS=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "record-avic-trace: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

refuse() {
    echo "record-avic-trace: $*" >&2
    echo "record-avic-trace: nothing recorded. (You can still analyse the synthetic samples in native-backend/tests/data/.)" >&2
    exit 1
}

case "$DURATION" in
    ''|*[!0-9]*) refuse "duration must be a whole number of seconds, got '$DURATION'" ;;
esac
if [ "$DURATION" -lt 1 ] || [ "$DURATION" -gt 3600 ]; then refuse "duration must be 1..3600 seconds"; fi
[ -n "$OUT" ] || refuse "empty output file name"

[ "$(uname -s)" = "Linux" ] || refuse "this needs Linux (found $(uname -s))"
grep -q '^vendor_id[[:space:]]*:[[:space:]]*AuthenticAMD' /proc/cpuinfo 2>/dev/null \
    || refuse "this is not an AMD CPU: AVIC is AMD-only"
[ -d /sys/module/kvm_amd ] || refuse "the kvm_amd module is not loaded (modprobe kvm_amd avic=1)"
AVIC="$(cat /sys/module/kvm_amd/parameters/avic 2>/dev/null || echo '?')"
case "$AVIC" in
    Y|1) ;;
    *) echo "record-avic-trace: warning: kvm_amd avic=$AVIC: KVM is not using AVIC, the AVIC events will not fire" >&2 ;;
esac
[ "$(id -u)" -eq 0 ] || refuse "tracing needs root (try: sudo $0 $*)"

EVENTS="kvm:kvm_pi_irte_update kvm:kvm_avic_ga_log kvm:kvm_avic_doorbell kvm:kvm_avic_kick_vcpu_slowpath kvm:kvm_avic_incomplete_ipi kvm:kvm_vcpu_wakeup sched:sched_switch sched:sched_waking"
if [ "$ENTRY_EXIT" -eq 1 ]; then
    EVENTS="$EVENTS kvm:kvm_entry kvm:kvm_exit"
fi

if [ "$FORCE_TRACEFS" -eq 0 ] && command -v trace-cmd >/dev/null 2>&1; then
    DAT="${OUT%.txt}.dat"
    ARGS=()
    for e in $EVENTS; do ARGS+=(-e "$e"); done
    echo "record-avic-trace: trace-cmd record for ${DURATION}s -> $DAT" >&2
    trace-cmd record -o "$DAT" "${ARGS[@]}" sleep "$DURATION" || refuse "trace-cmd record failed"
    trace-cmd report -i "$DAT" > "$OUT" || refuse "trace-cmd report failed"
    echo "record-avic-trace: wrote $OUT (trace-cmd report text); analyse with: avic-lab trace $OUT --cpuinfo /proc/cpuinfo" >&2
    exit 0
fi

T=/sys/kernel/tracing
[ -w "$T/tracing_on" ] || T=/sys/kernel/debug/tracing
[ -w "$T/tracing_on" ] || refuse "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)"

ENABLED=()
cleanup() {
    echo 0 > "$T/tracing_on" 2>/dev/null
    for e in "${ENABLED[@]}"; do echo 0 > "$T/events/$e/enable" 2>/dev/null; done
}
trap cleanup EXIT INT TERM

echo 0 > "$T/tracing_on"
echo > "$T/trace"
echo 16384 > "$T/buffer_size_kb" 2>/dev/null || true
for e in $EVENTS; do
    path="${e/://}"
    if [ -w "$T/events/$path/enable" ]; then
        echo 1 > "$T/events/$path/enable" && ENABLED+=("$path")
    else
        echo "record-avic-trace: note: event $e does not exist in this kernel, skipped" >&2
    fi
done
[ "${#ENABLED[@]}" -gt 0 ] || refuse "none of the events exist in this kernel"
echo "record-avic-trace: tracefs recording for ${DURATION}s ($T)" >&2
echo 1 > "$T/tracing_on"
sleep "$DURATION"
echo 0 > "$T/tracing_on"
cat "$T/trace" > "$OUT" || refuse "could not read $T/trace"
echo "record-avic-trace: wrote $OUT (tracefs text); analyse with: avic-lab trace $OUT --cpuinfo /proc/cpuinfo" >&2
