#!/usr/bin/env python3
"""Merge translation keys into internal/i18n/translations/*.json.

Reads a JSON object on stdin: {"key": {"en": "…", "de": "…", "fr": "…", "it": "…", "es": "…"}, …}
Every key needs all five languages. Files stay sorted, two-space indented,
and the merge holds a lock so that parallel writers do not lose keys.
"""
import fcntl, json, os, sys

LANGS = ["en", "de", "fr", "it", "es"]
DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "internal", "i18n", "translations")

def main():
    new = json.load(sys.stdin)
    for key, per in new.items():
        missing = [l for l in LANGS if not per.get(l)]
        if missing:
            sys.exit(f"{key}: missing {', '.join(missing)}")
    with open(os.path.join(DIR, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for lang in LANGS:
            path = os.path.join(DIR, lang + ".json")
            with open(path) as f:
                data = json.load(f)
            for key, per in new.items():
                data[key] = per[lang]
            with open(path, "w") as f:
                json.dump(dict(sorted(data.items())), f, ensure_ascii=False, indent=2)
                f.write("\n")
    print(f"merged {len(new)} keys into {len(LANGS)} languages")

if __name__ == "__main__":
    main()
