#!/bin/sh
# Rebuild the bundled demo feeds from items.json (run from anywhere).
#
# make_feeds.py joins --base-url and the file name with a "/", so `--base-url file:`
# yields `file:/name.ext` (an absolute path at the filesystem root); the second step
# rewrites those to `file:name.ext`, relative to the folder that holds feeds.toml.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tool=${MAKE_FEEDS:-"$here/../../../shared/tools/make_feeds.py"}
rm -rf "$here/feeds"
python3 "$tool" "$here/items.json" "$here/feeds" --base-url file:
python3 - "$here/feeds/feeds.toml" <<'PY'
import re, sys, tomllib
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
text = re.sub(r'^url = "file:/+', 'url = "file:', text, flags=re.M)
open(path, "w", encoding="utf-8").write(text)
tomllib.loads(text)
PY
echo "wrote $(grep -c '^\[\[feed\]\]' "$here/feeds/feeds.toml") feeds to $here/feeds"
