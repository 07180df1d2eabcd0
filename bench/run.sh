#!/usr/bin/env bash
# Benchmark `digestif build` on generated corpora.
#
# Steps:
#   1. Build the release binary and the `gen_corpus` example.
#   2. Generate corpora of SIZES papers into a tmpfs
#      (mounts one at BENCH_DIR when possible, else uses /dev/shm).
#   3. Time `digestif build --root CORPUS --output-dir TMPFS/out --quiet`
#      with hyperfine (WARMUP warm-up runs, RUNS timed runs, JSON export).
#   4. Measure the peak resident set size of one build with /usr/bin/time -v.
#   5. Time the floor: `cp -r` of the produced output tree to another tmpfs
#      folder, also with hyperfine.
#   6. Print a table: papers, pages written, median build s, peak RSS MB,
#      cp -r floor s.
#
# Every build starts from an empty output directory (hyperfine --prepare).
#
# Environment variables (defaults in brackets):
#   SIZES        corpus sizes, in papers                  ["10000 50000"]
#   RUNS         timed hyperfine runs per measurement     [5]
#   WARMUP       hyperfine warm-up runs                   [1]
#   SEED         gen_corpus seed                          [42]
#   BENCH_DIR    tmpfs mount point                        [/mnt/digestif-bench]
#   TMPFS_SIZE   size of the tmpfs mounted at BENCH_DIR   [8g]
#   RESULTS_DIR  hyperfine JSON and /usr/bin/time logs    [bench/results]
#   SKIP_BUILD   1 = do not run cargo build               [0]
#   DIGESTIF_BIN binary to benchmark          [target/release/digestif]
#   KEEP         1 = keep corpora, output and the tmpfs mount afterwards [0]
#   SITE         everything = the generated site.toml as it is; equivalent =
#                without citation files, emails and search, the site the
#                engine issue compares with Hugo and Zola        [everything]
#   HUGO         1 = also time Hugo (Debian's package) on the same corpus,
#                converted by bench/hugo/convert.py; needs SITE=equivalent [0]
#
# Usage: bench/run.sh            (from anywhere; root needed to mount a tmpfs
#                                 and to apt-get install missing tools)
#        SIZES=2000 RUNS=3 bench/run.sh

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
# A relative CARGO_TARGET_DIR is relative to the repository root.
[[ $TARGET_DIR == /* ]] || TARGET_DIR=$REPO_ROOT/$TARGET_DIR

SIZES=${SIZES:-"10000 50000"}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
SEED=${SEED:-42}
BENCH_DIR=${BENCH_DIR:-/mnt/digestif-bench}
TMPFS_SIZE=${TMPFS_SIZE:-8g}
RESULTS_DIR=${RESULTS_DIR:-$SCRIPT_DIR/results}
SKIP_BUILD=${SKIP_BUILD:-0}
DIGESTIF_BIN=${DIGESTIF_BIN:-$TARGET_DIR/release/digestif}
GEN_BIN=$TARGET_DIR/release/examples/gen_corpus
KEEP=${KEEP:-0}
SITE=${SITE:-everything}
HUGO=${HUGO:-0}

MOUNTED=0
WORK_DIR=""

log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Runs a command as root: directly, through sudo, or not at all.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        return 1
    fi
}

# ensure_tool COMMAND PACKAGE: apt-get installs PACKAGE when COMMAND is missing.
ensure_tool() {
    local cmd=$1 pkg=$2
    if [[ -x $cmd ]] || command -v "$cmd" >/dev/null 2>&1; then
        return 0
    fi
    log "installing $pkg (provides $cmd)"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >/dev/null; then
        as_root apt-get update >/dev/null || die "apt-get update failed; install $pkg by hand"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >/dev/null ||
            die "cannot install $pkg; install it by hand"
    fi
}

check_number() {
    local name=$1 value=$2
    [[ $value =~ ^[0-9]+$ ]] || die "$name must be a non-negative integer, got '$value'"
}

cleanup() {
    if [[ $KEEP == 1 ]]; then
        [[ -n $WORK_DIR ]] && log "kept $WORK_DIR (KEEP=1)"
        return 0
    fi
    if [[ -n $WORK_DIR && -d $WORK_DIR ]]; then
        rm -rf -- "$WORK_DIR"
    fi
    if [[ $MOUNTED == 1 ]]; then
        as_root umount "$BENCH_DIR" || log "could not unmount $BENCH_DIR"
    fi
}

# Mounts a tmpfs at BENCH_DIR if needed; falls back to /dev/shm.
setup_tmpfs() {
    if mountpoint -q "$BENCH_DIR" 2>/dev/null; then
        log "using existing mount $BENCH_DIR"
    elif as_root mkdir -p "$BENCH_DIR" 2>/dev/null &&
        as_root mount -t tmpfs -o "size=$TMPFS_SIZE" tmpfs "$BENCH_DIR" 2>/dev/null; then
        MOUNTED=1
        log "mounted tmpfs ($TMPFS_SIZE) at $BENCH_DIR"
    else
        log "cannot mount a tmpfs at $BENCH_DIR; falling back to /dev/shm"
        BENCH_DIR=/dev/shm
    fi
    local fs_type
    fs_type=$(stat -f -c %T "$BENCH_DIR")
    [[ $fs_type == tmpfs ]] || die "$BENCH_DIR is $fs_type, not tmpfs; figures would measure the disk"
    WORK_DIR=$BENCH_DIR/digestif-bench.$$
    [[ $EUID -eq 0 || $MOUNTED == 0 ]] || as_root chown "$(id -u):$(id -g)" "$BENCH_DIR"
    mkdir -p "$WORK_DIR"
}

# Prints the median (seconds) from a hyperfine JSON export.
json_median() {
    if command -v jq >/dev/null 2>&1; then
        jq -r '.results[0].median' "$1"
    else
        awk -F': *' '/"median"/ { gsub(/[ ,]/, "", $2); print $2; exit }' "$1"
    fi
}

# time_median NAME JSON PREPARE COMMAND: times COMMAND with hyperfine (PREPARE before each run),
# saves the JSON export and prints the median in seconds.
time_median() {
    local name=$1 json=$2 prepare=$3 command=$4
    hyperfine --warmup "$WARMUP" --runs "$RUNS" \
        --prepare "$prepare" \
        --command-name "$name" \
        --export-json "$json" \
        "$command" >&2
    json_median "$json"
}

# Prints the peak resident set size (MB) from a `/usr/bin/time -v` log.
peak_rss_mb() {
    local kb
    kb=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$1")
    [[ -n $kb ]] || die "no 'Maximum resident set size' in $1"
    awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }'
}

main() {
    check_number RUNS "$RUNS"
    check_number WARMUP "$WARMUP"
    check_number SEED "$SEED"
    [[ $RUNS -ge 2 ]] || die "RUNS must be at least 2 (hyperfine needs several runs for a median)"
    local n
    for n in $SIZES; do
        check_number "SIZES entry" "$n"
    done
    [[ -n ${SIZES// /} ]] || die "SIZES is empty"
    [[ $SITE == everything || $SITE == equivalent ]] ||
        die "SITE must be 'everything' or 'equivalent', got '$SITE'"
    [[ $HUGO != 1 || $SITE == equivalent ]] ||
        die "HUGO=1 compares the equivalent site: set SITE=equivalent"

    ensure_tool hyperfine hyperfine
    ensure_tool /usr/bin/time time
    if [[ $HUGO == 1 ]]; then
        ensure_tool hugo hugo
        ensure_tool python3 python3
    fi

    cd "$REPO_ROOT"
    if [[ $SKIP_BUILD != 1 ]]; then
        log "building release binary and gen_corpus"
        cargo build --release
        cargo build --release --example gen_corpus
    fi
    [[ -x $DIGESTIF_BIN ]] || die "$DIGESTIF_BIN not found; run cargo build --release"
    [[ -x $GEN_BIN ]] || die "$GEN_BIN not found; run cargo build --release --example gen_corpus"

    trap cleanup EXIT
    setup_tmpfs
    mkdir -p "$RESULTS_DIR"

    local out=$WORK_DIR/out
    local floor=$WORK_DIR/cp-floor
    local rows=()

    for n in $SIZES; do
        local corpus=$WORK_DIR/corpus-$n
        log "generating $n papers into $corpus"
        "$GEN_BIN" --papers "$n" --out "$corpus" --seed "$SEED" --force
        if [[ $SITE == equivalent ]]; then
            printf '\n[outputs]\ncitation_files = false\nemails = false\n\n[search]\nenabled = false\n' \
                >>"$corpus/site.toml"
        fi

        local build_cmd rm_out rm_floor
        build_cmd=$(printf '%q ' "$DIGESTIF_BIN" build --root "$corpus" --output-dir "$out" --quiet)
        rm_out=$(printf 'rm -rf %q' "$out")
        rm_floor=$(printf 'rm -rf %q' "$floor")

        # Peak memory of one cold build (also checks that the build succeeds).
        log "measuring peak RSS ($n papers)"
        rm -rf -- "$out"
        local time_log=$RESULTS_DIR/time-$n.txt
        if ! /usr/bin/time -v -o "$time_log" \
            "$DIGESTIF_BIN" build --root "$corpus" --output-dir "$out" --quiet; then
            die "digestif build failed on $corpus (see $time_log)"
        fi
        local rss_mb
        rss_mb=$(peak_rss_mb "$time_log")

        log "timing digestif build ($n papers)"
        local build_median
        build_median=$(time_median "digestif build ($n papers)" "$RESULTS_DIR/build-$n.json" \
            "$rm_out" "$build_cmd")

        local pages
        pages=$(find "$out" -type f -name '*.html' | wc -l)
        pages=${pages// /}

        log "timing cp -r floor ($n papers)"
        local floor_median
        floor_median=$(time_median "cp -r output ($n papers)" "$RESULTS_DIR/cp-floor-$n.json" \
            "$rm_floor" "$(printf 'cp -r %q %q' "$out" "$floor")")

        local hugo_columns=""
        if [[ $HUGO == 1 ]]; then
            local hugo_site=$WORK_DIR/hugo-$n
            log "converting the corpus for Hugo ($n papers)"
            python3 "$SCRIPT_DIR/hugo/convert.py" "$corpus/content" "$hugo_site" >/dev/null
            local hugo_cmd hugo_log=$RESULTS_DIR/time-hugo-$n.txt
            hugo_cmd=$(printf '%q ' hugo --quiet --destination "$out" --source "$hugo_site")
            rm -rf -- "$out"
            /usr/bin/time -v -o "$hugo_log" hugo --quiet --destination "$out" --source "$hugo_site" ||
                die "hugo failed on $hugo_site (see $hugo_log)"
            local hugo_rss_mb hugo_median
            hugo_rss_mb=$(peak_rss_mb "$hugo_log")
            log "timing hugo ($n papers)"
            hugo_median=$(time_median "hugo ($n papers)" "$RESULTS_DIR/hugo-$n.json" \
                "$rm_out" "$hugo_cmd")
            hugo_columns=$(printf ' %12.3f %13s' "$hugo_median" "$hugo_rss_mb")
            rm -rf -- "$hugo_site"
        fi

        rows+=("$(printf '%-8s %8s %16.3f %13s %14.3f' \
            "$n" "$pages" "$build_median" "$rss_mb" "$floor_median")$hugo_columns")

        rm -rf -- "$out" "$floor" "$corpus"
    done

    {
        printf '\n'
        printf 'digestif %s, %s CPUs, %s, tmpfs %s, runs %s (+%s warm-up), %s site\n' \
            "$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
            "$(nproc)" "$(uname -sr)" "$BENCH_DIR" "$RUNS" "$WARMUP" "$SITE"
        printf '%-8s %8s %16s %13s %14s' \
            papers pages "median build s" "peak RSS MB" "cp -r floor s"
        [[ $HUGO != 1 ]] || printf ' %12s %13s' "hugo s" "hugo RSS MB"
        printf '\n'
        printf '%s\n' "${rows[@]}"
    } | tee "$RESULTS_DIR/summary.txt"
    log "results in $RESULTS_DIR"
}

main "$@"
