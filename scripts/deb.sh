#!/bin/bash
# deb.sh VERSION OUTDIR: Debian packages of HEAD (debian/), built by
# dpkg-buildpackage -us -uc -b in OUTDIR/cloudctl-VERSION from the committed tree,
# then checked by lintian. The changelog gets an entry for VERSION dated at the
# commit, so SOURCE_DATE_EPOCH, and with it the .deb bytes, depend on the commit only.
set -euo pipefail
v=$1 out=$2
src=$out/cloudctl-$v
for c in dpkg-buildpackage dh lintian; do
	command -v $c > /dev/null || { echo "deb.sh: $c is missing: apt-get install dpkg-dev debhelper lintian" >&2; exit 69; }
done
rm -rf "$out" && mkdir -p "$src"  # no packages of another version left beside
git archive --format=tar HEAD | tar -x -C "$src"
top=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
if [ "$top" != "$v" ]; then
	{
		echo "cloudctl ($v) unstable; urgency=medium"
		echo
		echo "  * Built from commit $(git rev-parse HEAD)."
		echo
		echo " -- $(dpkg-parsechangelog -l "$src/debian/changelog" -S Maintainer)  $(date -R -u -d "@$(git log -1 --format=%ct HEAD)")"
		echo
		cat "$src/debian/changelog"
	} > "$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") > "$out/build.log" 2>&1 || {
	tail -30 "$out/build.log" >&2; echo "deb.sh: dpkg-buildpackage failed; log in $out/build.log" >&2; exit 70; }
changes=$(ls "$out"/cloudctl_"$v"_*.changes)
lintian --fail-on error,warning --tag-display-limit 0 "$changes" > "$out/lintian.log" 2>&1 || {
	cat "$out/lintian.log" >&2; echo "deb.sh: lintian found errors or warnings" >&2; exit 65; }
ls "$out"/*.deb
