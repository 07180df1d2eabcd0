#!/usr/bin/env python3
"""Convert a Digestif content folder into an equivalent Hugo (0.111) site.

Usage: python3 convert.py SRC_CONTENT_DIR OUT_SITE_DIR

SRC_CONTENT_DIR holds Digestif digest files (*.md, searched recursively):
TOML front matter between '+++' lines (title, date, summary, topics,
[[papers]] tables) followed by a Markdown intro.

OUT_SITE_DIR is (re)created with:
  config.toml
  content/digests/<digest-stem>.md   one page per digest (intro in the body)
  content/papers/<id>.md             one page per paper, merged by id
                                     (abstract in the body, notes in front matter)
  layouts/...                        minimal Go templates (copied from ./layouts)
"""
import json
import os
import shutil
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent

CONFIG = """\
baseURL = "https://example.org/"
languageCode = "en"
title = "Generated corpus"
# Hugo 0.111 pagination setting (terms: 25 per page, as Digestif's papers_per_page).
# The home page asks for 10 per page in its template (Digestif's digest list size).
paginate = 25
# Digestif's feeds hold 20 entries.
rssLimit = 20
titleCaseStyle = "none"
# Drops the /page/1/ redirect stubs Hugo writes for every paginated list
# (Digestif writes no such pages). There are no other aliases in this site.
disableAliases = true
enableRobotsTXT = true

[taxonomies]
  topic = "topics"

[markup.highlight]
  codeFences = true
  noClasses = false
"""


def toml_str(s):
    """TOML basic string (JSON string escapes are valid TOML escapes)."""
    return json.dumps(s, ensure_ascii=False)


def toml_multiline(s):
    """Readable literal multi-line string when possible."""
    if "'''" not in s and "\r" not in s:
        return "'''\n" + s + ("" if s.endswith("\n") else "\n") + "'''"
    return toml_str(s)


def toml_val(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return toml_multiline(v) if "\n" in v else toml_str(v)
    if hasattr(v, "isoformat"):  # date / datetime from tomllib
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_val(x) for x in v) + "]"
    raise TypeError(f"unsupported value {v!r}")


def split_front_matter(text, path):
    if not text.startswith("+++"):
        raise SystemExit(f"{path}: no +++ front matter")
    rest = text.split("\n", 1)[1]
    # closing delimiter: a line that is exactly +++
    idx = 0
    while True:
        j = rest.find("+++", idx)
        if j < 0:
            raise SystemExit(f"{path}: unterminated front matter")
        line_start = j == 0 or rest[j - 1] == "\n"
        end = j + 3
        line_end = end == len(rest) or rest[end] in "\r\n"
        if line_start and line_end:
            fm = rest[:j]
            body = rest[end:].lstrip("\r\n") if end < len(rest) else ""
            return fm, body
        idx = j + 3


def safe_name(s):
    return "".join(c if (c.isalnum() or c in "-._") else "_" for c in s)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    t0 = time.perf_counter()
    src = Path(sys.argv[1])
    out = Path(sys.argv[2])
    files = sorted(src.rglob("*.md"))
    if not files:
        raise SystemExit(f"no *.md under {src}")

    digests = []  # (stem, meta, body, [ids])
    papers = {}  # id -> merged dict
    order = []
    conflicts = 0
    for f in files:
        fm, body = split_front_matter(f.read_text(encoding="utf-8"), f)
        meta = tomllib.loads(fm)
        stem = f.stem
        ids = []
        for p in meta.get("papers", []):
            pid = str(p.get("id") or p.get("arxiv") or p.get("doi") or p["title"])
            if pid not in ids:
                ids.append(pid)
            app = {"slug": stem, "title": meta["title"], "date": meta["date"]}
            if pid not in papers:
                q = dict(p)
                q["topics"] = list(p.get("topics", []))
                q["_appeared"] = [app]
                papers[pid] = q
                order.append(pid)
            else:
                q = papers[pid]
                for k, v in p.items():
                    if k == "topics":
                        for t in v:
                            if t not in q["topics"]:
                                q["topics"].append(t)
                    else:
                        # later digest wins (as Digestif: e.g. newer upvotes)
                        if k in q and q[k] != v:
                            conflicts += 1
                        q[k] = v
                if all(a["slug"] != stem for a in q["_appeared"]):
                    q["_appeared"].append(app)
        digests.append((stem, meta, body, ids))

    if out.exists():
        shutil.rmtree(out)
    (out / "content" / "papers").mkdir(parents=True)
    (out / "content" / "digests").mkdir(parents=True)
    (out / "config.toml").write_text(CONFIG, encoding="utf-8")
    shutil.copytree(HERE / "layouts", out / "layouts")
    shutil.copytree(HERE / "static", out / "static")

    names = {}
    for pid in order:
        names[pid] = safe_name(pid)

    # Digests
    for stem, meta, body, ids in digests:
        topics = []
        for pid in ids:
            for t in papers[pid]["topics"]:
                if t not in topics:
                    topics.append(t)
        topics.sort(key=str.lower)
        lines = ["+++"]
        lines.append(f"title = {toml_str(meta['title'])}")
        lines.append(f"date = {toml_val(meta['date'])}")
        if "summary" in meta:
            lines.append(f"summary = {toml_val(meta['summary'])}")
        if meta.get("topics"):
            # digest's own topics: shown, but not a taxonomy entry (Digestif's
            # topic pages list papers only)
            lines.append(f"digest_topics = {toml_val(meta['topics'])}")
        lines.append(f"paper_topics = {toml_val(topics)}")
        lines.append(
            "papers = " + toml_val([f"/papers/{names[pid]}.md" for pid in ids])
        )
        lines.append("+++")
        text = "\n".join(lines) + "\n" + body
        (out / "content" / "digests" / f"{safe_name(stem)}.md").write_text(
            text, encoding="utf-8"
        )

    # Papers
    skip = {"id", "title", "topics", "abstract", "notes", "url", "_appeared"}
    for pid in order:
        p = papers[pid]
        app = sorted(p["_appeared"], key=lambda a: str(a["date"]))
        latest = app[-1]
        lines = ["+++"]
        lines.append(f"title = {toml_str(p['title'])}")
        # Digestif sorts a topic's papers by (latest) digest date, newest first
        lines.append(f"date = {toml_val(latest['date'])}")
        lines.append(f"paper_id = {toml_str(pid)}")
        for k, v in p.items():
            if k in skip or k.startswith("_"):
                continue
            lines.append(f"{k} = {toml_val(v)}")
        if "url" in p:  # 'url' is reserved by Hugo (page permalink)
            lines.append(f"link = {toml_str(p['url'])}")
        lines.append(f"topics = {toml_val(p['topics'])}")
        if p.get("notes"):
            lines.append(f"notes = {toml_val(p['notes'])}")
        lines.append(f"latest_digest = {toml_str(latest['slug'])}")
        lines.append(f"latest_digest_title = {toml_str(latest['title'])}")
        lines.append(f"latest_digest_date = {toml_val(latest['date'])}")
        for a in app:
            lines.append("[[appeared]]")
            lines.append(f"slug = {toml_str(a['slug'])}")
            lines.append(f"title = {toml_str(a['title'])}")
            lines.append(f"date = {toml_val(a['date'])}")
        lines.append("+++")
        text = "\n".join(lines) + "\n" + p.get("abstract", "")
        (out / "content" / "papers" / f"{names[pid]}.md").write_text(
            text, encoding="utf-8"
        )

    dt = time.perf_counter() - t0
    print(
        f"{len(files)} digests, {sum(len(d[3]) for d in digests)} paper entries, "
        f"{len(order)} unique papers, {conflicts} conflicting duplicate fields "
        f"(latest kept) -> {out} in {dt:.2f}s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
