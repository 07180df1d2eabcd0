#!/usr/bin/env bash
# Search figures on generated sites: index size on disk, index build time as a share of the
# whole build, and, in headless Chromium, the bytes downloaded to show the first results of
# typical queries (cold cache, text gzipped as GitHub Pages serves it) and the query times.
#
#   bench/search.sh                      # 10,000 and 100,000 papers
#   SIZES=2000 RUNS=1 bench/search.sh    # quick check
#
# Needs a tmpfs (/dev/shm), Debian's chromium and chromium-driver, GNU time, and a release build.
# The index's share of the build is measured in CPU time: the CPU time of its two stages
# (DIGESTIF_LOG=debug prints it per stage) against the build's user + system time, which a busy
# machine distorts less than wall time; the wall-time share is printed too.
# Environment: SIZES ["10000 100000"], RUNS [3] builds per size, SEED [42], WORK [/dev/shm],
# RESULTS_DIR [bench/results], KEEP [0] (1 keeps the generated sites).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
[[ $TARGET_DIR == /* ]] || TARGET_DIR=$REPO_ROOT/$TARGET_DIR
SIZES=${SIZES:-"10000 100000"}
RUNS=${RUNS:-3}
SEED=${SEED:-42}
WORK=${WORK:-/dev/shm}
RESULTS_DIR=${RESULTS_DIR:-$SCRIPT_DIR/results}
KEEP=${KEEP:-0}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

[[ $(stat -f -c %T "$WORK") == tmpfs ]] || die "$WORK is not a tmpfs; figures would measure the disk"
for tool in /usr/bin/chromium /usr/bin/chromedriver /usr/bin/time; do
    [[ -x $tool ]] || die "$tool missing: apt-get install -y chromium chromium-driver"
done

cd "$REPO_ROOT"
log "building release binary, gen_corpus and the test binary"
cargo build --release --quiet
cargo build --release --quiet --example gen_corpus
cargo test --release --quiet --test browser --no-run 2>/dev/null

DIR=$(mktemp -d "$WORK/digestif-search-bench.XXXXXX")
cleanup() { [[ $KEEP == 1 ]] && log "kept $DIR" || rm -rf -- "$DIR"; }
trap cleanup EXIT
mkdir -p "$RESULTS_DIR"
SUMMARY=$RESULTS_DIR/search-summary.md
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

{
    printf '# Search figures\n\ndigestif %s, %s CPUs, %s, release build, sites on %s\n' \
        "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(nproc)" "$(uname -sr)" "$WORK"
} >"$SUMMARY"

for n in $SIZES; do
    corpus=$DIR/corpus-$n
    out=$DIR/out-$n
    log "generating $n papers"
    "$TARGET_DIR/release/examples/gen_corpus" --papers "$n" --out "$corpus" --seed "$SEED" --force >/dev/null

    log "building $RUNS times ($n papers)"
    rows=()
    for run in $(seq "$RUNS"); do
        rm -rf "$out"
        DIGESTIF_LOG=debug /usr/bin/time -f '%e %U %S' -o "$DIR/time.txt" \
            "$TARGET_DIR/release/digestif" build --root "$corpus" --output-dir "$out" \
            --base-url "http://127.0.0.1:$PORT/" --quiet 2>"$DIR/log-$n-$run.txt"
        # debug: search index took 812.3 ms, CPU 1230 ms
        read -r stage_ms stage_cpu < <(awk '/debug: (write )?search index took/ {
            for (i = 1; i <= NF; i++) { if ($i == "took") ms += $(i + 1); if ($i == "CPU") cpu += $(i + 1) } }
            END { print ms, cpu }' "$DIR/log-$n-$run.txt")
        read -r wall user sys <"$DIR/time.txt"
        rows+=("$(awk -v ms="$stage_ms" -v cpu="$stage_cpu" -v w="$wall" -v u="$user" -v s="$sys" \
            'BEGIN { total = (u + s) * 1000; printf "%.1f %.1f %.0f %.0f %.0f %.0f", 100 * cpu / total, 100 * ms / (w * 1000), cpu, total, ms, w * 1000 }')")
    done
    median=$(printf '%s\n' "${rows[@]}" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
    read -r cpu_share wall_share stage_cpu total_cpu stage_ms wall_ms <<<"$median"
    bytes=$(du -sb "$out/search" | cut -f1)
    files=$(find "$out/search" -type f | wc -l)
    site_bytes=$(du -sb "$out" | cut -f1)
    gz_manifest=$(gzip -c "$out/search/index.json" | wc -c)
    {
        printf '\n## %s papers\n\n' "$n"
        printf -- '- index on disk: %.1f MB in %s files (whole site %.1f MB); manifest %.1f KB gzipped\n' \
            "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')" "$files" \
            "$(awk -v b="$site_bytes" 'BEGIN { print b / 1048576 }')" "$(awk -v b="$gz_manifest" 'BEGIN { print b / 1024 }')"
        printf -- '- index build (stages `search index` + `write search index`), CPU time: %s ms of %s ms = %s%% of the build (median of %s)\n' \
            "$stage_cpu" "$total_cpu" "$cpu_share" "$RUNS"
        printf -- '- the same stages in wall time: %s ms of a %s ms build = %s%%\n\n' \
            "$stage_ms" "$wall_ms" "$wall_share"
    } >>"$SUMMARY"

    log "measuring in Chromium ($n papers)"
    DIGESTIF_BENCH_SITE=$out DIGESTIF_BENCH_PORT=$PORT \
        cargo test --release --quiet --test browser search_benchmark -- --ignored --nocapture --test-threads 1 2>/dev/null |
        grep -E '^\||^typed' >>"$SUMMARY"
    rm -rf "$corpus" "$out"
done
cat "$SUMMARY"
log "results in $SUMMARY"
