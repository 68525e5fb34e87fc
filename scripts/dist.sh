#!/bin/bash
# dist.sh VERSION OUTDIR: the committed tree of HEAD as OUTDIR/cloudctl-VERSION.tar.gz,
# with configure generated, so that `./configure && make` builds it. The same commit
# gives the same bytes: names sorted, owners 0, times the commit's, gzip without a name.
set -euo pipefail
v=$1 out=$2
name=cloudctl-$v
rm -rf "$out/$name" && mkdir -p "$out"
git archive --format=tar --prefix="$name/" HEAD | tar -x -C "$out"
(cd "$out/$name" && autoconf && rm -rf autom4te.cache)
t=$(git log -1 --format=%ct HEAD)
tar -C "$out" --sort=name --mtime="@$t" --owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -9n > "$out/$name.tar.gz"
rm -rf "${out:?}/$name"
echo "$out/$name.tar.gz"
