#!/usr/bin/env bash
# What a generated site weighs on disk, by kind of output (issue 22).
#
# For each size in SIZES: generate a corpus with examples/gen_corpus.rs (75 papers a daily
# digest), build it once with the current defaults ("new") and once with every output on
# ("old": the defaults before issue 22: per-paper cite.ris and cite.json, every digest's emails
# and abstracts, topic bibliographies, COinS and the JSON-LD abstract), each into a tmpfs, and
# print a Markdown table per build:
#   - bytes and files per kind of output, as the build's summary names them (the same rules as
#     src/site_size.rs, applied here to a walk of the output so the figures are independent of
#     the build's own count);
#   - the whole output (`du --apparent-size`) per paper, and the same without images, which the
#     10 KB a paper target leaves out;
#   - files per paper, the largest file, build time and peak memory (`/usr/bin/time -v`, else the
#     DIGESTIF_LOG=debug stage log's last peak).
# Then one line per build: bytes and files per paper. With VARIANTS=features it also builds the
# new defaults with one setting changed at a time, so that the differences between those lines
# are what each feature costs.
# Papers are the build's distinct papers (its summary line), not gen_corpus's entries.
#
# Environment (defaults in brackets):
#   SIZES        corpus sizes, in paper entries              ["10000"]
#   VARIANTS     which builds: new, old, one of the single-setting variants in
#                variant_toml, or "features" for all of them   ["new old"]
#   WORK_DIR     where corpora and outputs go (a tmpfs)       [/dev/shm/digestif-size]
#   DIGESTIF_BIN the binary                                   [target/release/digestif]
#   GEN_BIN      the corpus generator                         [target/release/examples/gen_corpus]
#   KEEP         1 = keep corpora and the last output         [0]
#
# Usage: cargo build --release --bin digestif --example gen_corpus
#        SIZES="10000 150000" bench/size.sh

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
[[ $TARGET_DIR == /* ]] || TARGET_DIR=$REPO_ROOT/$TARGET_DIR

SIZES=${SIZES:-"10000"}
VARIANTS=${VARIANTS:-"new old"}
WORK_DIR=${WORK_DIR:-/dev/shm/digestif-size}
DIGESTIF_BIN=${DIGESTIF_BIN:-$TARGET_DIR/release/digestif}
GEN_BIN=${GEN_BIN:-$TARGET_DIR/release/examples/gen_corpus}
KEEP=${KEEP:-0}

die() { echo "size.sh: $*" >&2; exit 1; }
[[ -x $DIGESTIF_BIN ]] || die "$DIGESTIF_BIN not found; run cargo build --release"
[[ -x $GEN_BIN ]] || die "$GEN_BIN not found; run cargo build --release --example gen_corpus"

# The settings of each variant, appended to the generated site.toml.
variant_toml() {
    case $1 in
        new) printf '' ;;
        old) printf '\n[outputs]\ncitation_files = "all"\nemails = "all"\ndigest_abstracts = "all"\ntopic_bibtex = true\nrich_metadata = true\n' ;;
        # One setting away from the new defaults each: what a feature adds or saves.
        related-off) printf '\n[related]\nenabled = false\n' ;;
        trends-off) printf '\n[trends]\nenabled = false\n' ;;
        search-off) printf '\n[search]\nenabled = false\n' ;;
        cite-bib-off) printf '\n[outputs]\ncitation_files = "none"\n' ;;
        cite-all) printf '\n[outputs]\ncitation_files = "all"\n' ;;
        emails-all) printf '\n[outputs]\nemails = "all"\n' ;;
        abstracts-all) printf '\n[outputs]\ndigest_abstracts = "all"\n' ;;
        topic-bibtex) printf '\n[outputs]\ntopic_bibtex = true\n' ;;
        rich-metadata) printf '\n[outputs]\nrich_metadata = true\n' ;;
        site-bibtex-off) printf '\n[outputs]\nsite_bibtex = false\n' ;;
        *) die "unknown variant $1" ;;
    esac
}

# Bytes and files per kind from `find -printf '%s %P\n'`; mirrors Kind::of in src/site_size.rs.
by_kind() {
    awk -v papers="$1" '
    {
        size = $1; path = substr($0, index($0, " ") + 1)
        n = split(path, parts, "/"); name = parts[n]; top = (n > 1) ? parts[1] : ""
        ext = ""; if (match(name, /\.[^.]*$/)) ext = tolower(substr(name, RSTART + 1))
        if (name == "email.html" || name == "email.txt") kind = "emails"
        else if (ext == "bib" || ext == "ris" || name == "cite.json") kind = "citation files"
        else if (name == "feed.xml" || name == "feed.json" || name == "feeds.opml") kind = "feeds"
        else if (top == "search") kind = "search index"
        else if (ext ~ /^(png|jpg|jpeg|gif|webp|avif|svg|ico)$/) kind = "images"
        else if (ext == "html" && top == "papers") kind = "paper pages"
        else if (ext == "html" && top == "digests") kind = "digest pages"
        else if (ext == "html" && top == "topics") kind = "topic pages"
        else kind = "other"
        bytes[kind] += size; files[kind] += 1
    }
    END {
        printf "| kind | bytes | files | bytes per paper |\n|---|---:|---:|---:|\n"
        for (kind in bytes) printf "%d\t| %s | %d | %d | %.0f |\n", bytes[kind], kind, bytes[kind], files[kind], bytes[kind] / papers
    }' | { read -r header; read -r rule; echo "$header"; echo "$rule"; sort -rn | cut -f2-; }
}

measure() {
    local corpus=$1 variant=$2 entries=$3
    local out=$WORK_DIR/out log=$WORK_DIR/build.log
    cp "$corpus/site.toml.orig" "$corpus/site.toml"
    variant_toml "$variant" >> "$corpus/site.toml"
    rm -rf "$out"
    local start end
    start=$(date +%s.%N)
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -v "$DIGESTIF_BIN" build --root "$corpus" --output-dir "$out" > "$log" 2>&1
    else
        DIGESTIF_LOG=debug "$DIGESTIF_BIN" build --root "$corpus" --output-dir "$out" > "$log" 2>&1
    fi
    end=$(date +%s.%N)
    local summary papers peak
    summary=$(grep -m1 '^built ' "$log") || die "no summary in $log"
    papers=$(sed -E 's/^built [0-9]+ digests?, ([0-9]+) papers?.*/\1/' <<< "$summary")
    if grep -q 'Maximum resident set size' "$log"; then
        peak=$(awk '/Maximum resident set size/ { printf "%.0f MB", $NF / 1024 }' "$log")
    else
        peak=$(grep -o 'peak [0-9.]* [KMG]B' "$log" | tail -1 | sed 's/peak //')
    fi
    local total images files
    total=$(du --apparent-size -sb "$out" | cut -f1)
    images=$(find "$out" -type f -regextype posix-extended -iregex '.*\.(png|jpg|jpeg|gif|webp|avif|svg|ico)' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    files=$(find "$out" -type f | wc -l)

    echo
    echo "### $entries entries, $variant defaults"
    echo
    echo "\`$summary\`"
    echo
    find "$out" -type f -printf '%s %P\n' | by_kind "$papers"
    echo
    echo "| | |"
    echo "|---|---:|"
    printf '| papers | %d |\n' "$papers"
    printf '| whole output (du --apparent-size) | %d bytes |\n' "$total"
    printf '| bytes per paper, images left out | %.0f |\n' "$(echo "($total - $images) / $papers" | bc -l)"
    printf '| images | %d bytes |\n' "$images"
    printf '| files | %d |\n' "$files"
    printf '| files per paper | %.2f |\n' "$(echo "$files / $papers" | bc -l)"
    # The one a host with a per-file limit looks at ([deploy] max_file_size).
    printf '| largest file | %s |\n' "$(find "$out" -type f -printf '%s bytes, %P\n' | sort -rn | head -1)"
    printf '| build time | %.1f s |\n' "$(echo "$end - $start" | bc -l)"
    printf '| peak memory | %s |\n' "${peak:-unknown}"
    printf '| %s | %s | %.0f | %.2f |\n' "$entries" "$variant" \
        "$(echo "($total - $images) / $papers" | bc -l)" "$(echo "$files / $papers" | bc -l)" >> "$WORK_DIR/lines"
    rm -rf "$out"
}

[[ $VARIANTS == features ]] &&
    VARIANTS="new old related-off trends-off search-off cite-bib-off cite-all emails-all abstracts-all topic-bibtex rich-metadata site-bibtex-off"
mkdir -p "$WORK_DIR"
rm -f "$WORK_DIR/lines"
for entries in $SIZES; do
    corpus=$WORK_DIR/corpus-$entries
    if [[ ! -f $corpus/site.toml.orig ]]; then
        rm -rf "$corpus"
        "$GEN_BIN" --papers "$entries" --out "$corpus" > /dev/null
        cp "$corpus/site.toml" "$corpus/site.toml.orig"
    fi
    for variant in $VARIANTS; do
        measure "$corpus" "$variant" "$entries"
    done
    [[ $KEEP == 1 ]] || rm -rf "$corpus"
done
echo
echo "### Every build"
echo
echo "| entries | build | bytes per paper | files per paper |"
echo "|---:|---|---:|---:|"
cat "$WORK_DIR/lines"
[[ $KEEP == 1 ]] || rm -rf "$WORK_DIR"
