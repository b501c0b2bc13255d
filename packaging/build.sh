#!/usr/bin/env bash
# Builds the installable packages from what `mvn package` made in TARGET (palisade.jar, lib/):
#   TARGET/palisade_DEBVERSION_all.deb   Debian package (skipped, with a message, when dpkg-deb is missing)
#   TARGET/palisade-VERSION.tar.gz       plain tarball for other distributions: bin/, lib/palisade/, share/palisade/
# Called by Maven (exec-maven-plugin, phase package); -Dpalisade.package.skip=true skips it.
# usage: packaging/build.sh BASEDIR TARGET VERSION
set -euo pipefail
base=$1 target=$2 version=$3
pkg="$base/packaging"
# Debian versions sort ~ before anything: 0.1.0~snapshot < 0.1.0.
debversion=$(printf '%s' "$version" | sed 's/-SNAPSHOT$/~snapshot/; s/-/~/g')
[ -f "$target/palisade.jar" ] || { echo "packaging: $target/palisade.jar is missing" >&2; exit 1; }
[ -d "$target/lib" ] || { echo "packaging: $target/lib is missing" >&2; exit 1; }
stage="$target/packaging"
rm -rf "$stage"
rm -f "$target"/palisade_*_all.deb "$target"/palisade-*.tar.gz

# The files of an installation, laid out once; the .deb and the tarball place them.
install_tree() { # ROOT BIN SHARE_HOME (jar + lib) DOC UNITS ETC
  local root=$1
  install -d -m 0755 "$root$2" "$root$3/lib" "$root$4" "$root$5" "$root$6"
  install -m 0755 "$pkg/bin/palisade" "$root$2/palisade"
  install -m 0644 "$target/palisade.jar" "$root$3/palisade.jar"
  install -m 0644 "$target"/lib/*.jar "$root$3/lib/"
  install -m 0644 "$pkg"/systemd/*.service "$root$5/"
  install -m 0644 "$pkg/palisade.yaml.sample" "$root$6/palisade.yaml.sample"
  install -m 0644 "$base/docs/INSTALL.md" "$base/README.md" "$root$4/"
}

# The tarball: palisade-VERSION/{bin, lib/palisade, share/palisade/{systemd, doc}, share/palisade/palisade.yaml.sample}
tdir="$stage/tar/palisade-$version"
install_tree "$tdir" /bin /lib/palisade /share/doc/palisade /share/palisade/systemd /share/palisade
tar -C "$stage/tar" --owner=0 --group=0 --numeric-owner -czf "$target/palisade-$version.tar.gz" "palisade-$version"
echo "packaging: $target/palisade-$version.tar.gz"

if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "packaging: dpkg-deb not found: no .deb built (it is in Debian's dpkg package); the tarball is there"
  exit 0
fi
droot="$stage/deb"
install_tree "$droot" /usr/bin /usr/share/palisade /usr/share/doc/palisade /lib/systemd/system /etc/palisade
install -d -m 0755 "$droot/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$droot" | cut -f1)
sed -e "s/@VERSION@/$debversion/" -e "s/@SIZE@/$size/" "$pkg/debian/control" > "$droot/DEBIAN/control"
install -m 0644 "$pkg/debian/conffiles" "$droot/DEBIAN/conffiles"
install -m 0755 "$pkg/debian/postinst" "$pkg/debian/prerm" "$pkg/debian/postrm" "$droot/DEBIAN/"
# Jars are compressed already: the fastest gzip level costs little size.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$droot" "$target/palisade_${debversion}_all.deb" >/dev/null
echo "packaging: $target/palisade_${debversion}_all.deb"
