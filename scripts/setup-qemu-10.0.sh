#!/usr/bin/env bash
# Installs QEMU 10.0 from Debian's bookworm-backports *beside* Debian 12's
# QEMU 7.2, never instead of it: the backports' .debs are unpacked with
# `dpkg-deb -x` into a prefix of their own (/opt/qemu-10.0), dpkg does not
# know them, and /usr/bin/qemu-system-x86_64 (package qemu-system-x86) stays
# 7.2. The project uses it to migrate a guest from one QEMU build into
# another (the upgrade that local migration is for).
#
#   bash scripts/setup-qemu-10.0.sh        # run by scripts/setup.sh
#   QEMU10_REFRESH=1 bash scripts/setup-qemu-10.0.sh   # look for a newer backport
#
# Use /opt/qemu-10.0/bin/qemu-system-x86_64: a wrapper that points the
# relocated binary at its own firmware (-L) and modules (QEMU_MODULE_DIR).
# Debian builds QEMU 10.0 non-relocatable: both are compiled in as
# /usr/share/{qemu,seabios}, /usr/lib/ipxe/qemu and
# /usr/lib/x86_64-linux-gnu/qemu, which are 7.2's files on this machine
# (7.2's modules even make 10.0 abort on `-device help`).
#
# How: apt with a configuration of its own under $state (its own sources,
# lists, cache and an empty dpkg status), whose sources are the machine's
# own Debian archive entry for the release (URI and Signed-By taken from
# /etc/apt/sources.list.d/*.sources or sources.list) with the suite
# RELEASE-backports added. The system's apt sources are not touched. The
# libraries QEMU 10.0 links come from Debian 12 itself (`apt-get satisfy`
# installs any that are missing; nothing is taken from backports but QEMU,
# its modules and SeaBIOS). Idempotent: a stamp in the prefix makes a second
# run return at once, without the network. The prefix is built in a
# temporary directory beside it and renamed into place.
set -euo pipefail

prefix=${QEMU10_PREFIX:-/opt/qemu-10.0}
state=${QEMU10_STATE:-/var/lib/local-migration/qemu-10.0}
want_version=10.0     # upstream major.minor wanted from backports
layout=1              # bump when what this script puts in the prefix changes
stamp=$prefix/.setup-stamp
wrapper=$prefix/bin/qemu-system-x86_64

# Taken from backports; ipxe-qemu is not there and comes from the release.
packages=(
    qemu-system-x86             # the binaries
    qemu-system-common          # helpers and the modules of the x86 binary
    qemu-system-data            # ROMs (kvmvapic, linuxboot, ...), keymaps
    qemu-system-modules-opengl  # modules 10.0 would otherwise take from 7.2's
    qemu-system-modules-spice   # module directory (and refuse, or abort)
    seabios                     # bios-256k.bin, vgabios-*.bin
    ipxe-qemu                   # NIC option ROMs (efi-*.rom)
)

say() { echo "qemu-10.0: $*"; }
die() { echo "qemu-10.0: error: $*" >&2; exit 1; }

# --- already there? (no network, no apt) --------------------------------
installed_version() {
    [[ -f $stamp && -x $wrapper ]] || return 1
    [[ $(head -n1 "$stamp") == "layout $layout" ]] || return 1
    local v
    v=$("$wrapper" --version 2>/dev/null | head -n1) || return 1
    [[ $v == "QEMU emulator version $want_version."* ]] || return 1
    echo "$v"
}
if [[ -z ${QEMU10_REFRESH:-} ]] && v=$(installed_version); then
    say "already installed in $prefix ($v); nothing to do"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install into $prefix"
    exec sudo QEMU10_PREFIX="$prefix" QEMU10_STATE="$state" QEMU10_REFRESH="${QEMU10_REFRESH:-}" bash "$0" "$@"
fi

arch=$(dpkg --print-architecture)
[[ $arch == amd64 ]] || die "only amd64 is supported (this is $arch)"
# shellcheck source=/dev/null
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[[ -n $release ]] || die "no VERSION_CODENAME in /etc/os-release"
backports=$release-backports

system_qemu_before=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)

# --- the machine's own entry for the Debian archive ----------------------
# Prints the deb822 fields "URIs: ..." and, if present, the verbatim
# "Signed-By: ..." field (a path, or an inline key over several lines) of
# the first enabled `deb` entry for suite $release with component main.
find_archive_deb822() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        awk -v release="$release" '
            function has(list, word,   n, a, i) {
                n = split(list, a, /[ \t]+/)
                for (i = 1; i <= n; i++) if (a[i] == word) return 1
                return 0
            }
            function flush() {
                if (has(f["types"], "deb") && has(f["suites"], release) && has(f["components"], "main") \
                    && tolower(f["enabled"]) != "no" && f["uris"] != "") {
                    split(f["uris"], u, /[ \t]+/)
                    print "URIs: " u[1]
                    if (signed != "") printf "%s", signed
                    found = 1; exit
                }
                delete f; signed = ""; key = ""
            }
            /^#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]/ {                       # continuation of the field above
                if (key == "signed-by") signed = signed $0 "\n"
                else if (key != "") f[key] = f[key] " " $0
                next
            }
            {
                key = tolower(substr($0, 1, index($0, ":") - 1))
                val = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", val); sub(/[ \t]+$/, "", val)
                f[key] = val
                if (key == "signed-by") signed = "Signed-By: " val "\n"
            }
            END { if (!found) flush() }
        ' "$f" | grep . && return 0
    done
    return 1
}
# The same from one-line sources: "deb [options] URI SUITE COMPONENT...".
find_archive_oneline() {
    local f line opts uri suite rest signed
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        while IFS= read -r line; do
            line=${line%%#*}
            [[ $line =~ ^[[:space:]]*deb[[:space:]]+(\[([^]]*)\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]+(.*)$ ]] || continue
            opts=${BASH_REMATCH[2]} uri=${BASH_REMATCH[3]} suite=${BASH_REMATCH[4]} rest=" ${BASH_REMATCH[5]} "
            [[ $suite == "$release" && $rest == *" main "* ]] || continue
            echo "URIs: $uri"
            signed=$(tr ' ' '\n' <<<"$opts" | sed -n 's/^signed-by=//p' | head -n1)
            [[ -n $signed ]] && echo "Signed-By: $signed"
            return 0
        done <"$f"
    done
    return 1
}
archive=$(find_archive_deb822 || find_archive_oneline) \
    || die "no 'deb' entry for suite $release (component main) in /etc/apt/sources.list{,.d}"
uri=$(sed -n 's/^URIs: //p' <<<"$archive")
say "Debian archive: $uri (from the machine's apt sources), suite $backports"

# --- a private apt ---------------------------------------------------------
apt_dir=$state/apt
mkdir -p "$apt_dir"/etc/sources.list.d "$apt_dir"/etc/preferences.d \
    "$apt_dir"/state/lists/partial "$apt_dir"/cache/archives/partial
: >"$apt_dir/etc/sources.list"
touch "$apt_dir/state/status"           # an empty dpkg status: nothing "installed"
{
    echo "# Written by scripts/setup-qemu-10.0.sh from the machine's entry for $release."
    echo "Types: deb"
    echo "Suites: $backports $release"
    echo "Components: main"
    echo "Architectures: $arch"
    echo "$archive"
} >"$apt_dir/etc/sources.list.d/debian.sources"
cat >"$apt_dir/apt.conf" <<EOF
// Written by scripts/setup-qemu-10.0.sh: an apt of its own, for downloads only.
Dir::Etc::SourceList "$apt_dir/etc/sources.list";
Dir::Etc::SourceParts "$apt_dir/etc/sources.list.d";
Dir::Etc::Preferences "$apt_dir/etc/preferences";
Dir::Etc::PreferencesParts "$apt_dir/etc/preferences.d";
Dir::State "$apt_dir/state";
Dir::State::Lists "$apt_dir/state/lists";
Dir::State::status "$apt_dir/state/status";
Dir::Cache "$apt_dir/cache";
Dir::Cache::Archives "$apt_dir/cache/archives";
Acquire::Languages "none";
EOF
papt() { APT_CONFIG="$apt_dir/apt.conf" "$@"; }

say "updating the private package lists ($apt_dir)"
papt apt-get update -qq -o APT::Update::Error-Mode=any >/dev/null \
    || die "apt-get update of $backports failed (see: APT_CONFIG=$apt_dir/apt.conf apt-get update)"

# Each package from backports where backports has it, else from $release.
specs=() versions=()
for p in "${packages[@]}"; do
    v=$(papt apt-cache madison "$p" | awk -F' [|] ' -v s="$backports" 'index($3, " " s "/") { print $2; exit }' | tr -d ' ')
    if [[ -z $v ]]; then
        v=$(papt apt-cache madison "$p" | awk -F' [|] ' '{ print $2; exit }' | tr -d ' ')
    fi
    [[ -n $v ]] || die "$p is in neither $backports nor $release"
    specs+=("$p=$v") versions+=("$p $v")
done
qemu_v=$(sed -n 's/^qemu-system-x86 //p' < <(printf '%s\n' "${versions[@]}"))
[[ $qemu_v == *:"$want_version".* || $qemu_v == "$want_version".* ]] \
    || die "$backports has qemu-system-x86 $qemu_v, not $want_version.x"

new_stamp=$(printf 'layout %s\n' "$layout"; printf '%s\n' "${versions[@]}")
if [[ -f $stamp && $(cat "$stamp") == "$new_stamp" ]] && installed_version >/dev/null; then
    say "already up to date in $prefix (qemu-system-x86 $qemu_v); nothing to do"
    exit 0
fi

# --- download and unpack, beside the prefix --------------------------------
mkdir -p "$(dirname "$prefix")"
work=$(mktemp -d "$state/download.XXXXXX")
tmp_prefix=$(mktemp -d "$(dirname "$prefix")/.$(basename "$prefix").XXXXXX")
cleanup() { rm -rf "$work" "$tmp_prefix"; }
trap cleanup EXIT
chmod 0755 "$work"
if getent passwd _apt >/dev/null; then chown _apt "$work"; fi   # apt downloads as _apt

say "downloading ${specs[*]}"
(cd "$work" && papt apt-get download -qq "${specs[@]}") \
    || die "apt-get download failed"
for deb in "$work"/*.deb; do
    dpkg-deb -x "$deb" "$tmp_prefix"
done
chmod 0755 "$tmp_prefix"

moddir=$(echo "$tmp_prefix"/usr/lib/*-linux-gnu/qemu)
[[ -d $moddir ]] || die "no module directory in the unpacked packages"
moddir=${moddir#"$tmp_prefix"}

# --- libraries: Debian 12's own ---------------------------------------------
# The Depends of what was unpacked, less what the prefix itself provides,
# must hold on this machine; `apt-get satisfy` installs what is missing from
# the machine's own (Debian 12) sources and never touches QEMU 7.2.
deps=()
for deb in "$work"/*.deb; do
    while IFS= read -r group; do
        group=$(sed 's/^ *//; s/ *$//' <<<"$group")
        [[ -n $group ]] || continue
        ours=0
        for p in "${packages[@]}" qemu-system-any qemu-utils; do
            re="(^|[|])[[:space:]]*$p([[:space:]:(]|\$)"
            [[ $group =~ $re ]] && ours=1
        done
        ((ours)) || deps+=("$group")
    done < <(dpkg-deb -f "$deb" Depends | tr ',' '\n')
done
depstr=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, | sed 's/,/, /g')
if ! sim=$(apt-get satisfy -s --no-install-recommends "$depstr" 2>&1); then
    apt-get update -qq    # the machine's lists may be old
    sim=$(apt-get satisfy -s --no-install-recommends "$depstr" 2>&1) \
        || die "Debian 12 cannot satisfy QEMU 10.0's libraries ($depstr): $sim"
fi
if grep -q '^Inst \|^Remv ' <<<"$sim"; then
    if grep -Eq '^(Inst|Remv) (qemu|seabios|ipxe)' <<<"$sim" || grep -q '^Remv ' <<<"$sim"; then
        die "satisfying QEMU 10.0's libraries would change QEMU 7.2 or remove packages: $(grep -E '^(Inst|Remv) ' <<<"$sim" | tr '\n' ';')"
    fi
    say "installing Debian 12 libraries QEMU 10.0 needs: $(sed -n 's/^Inst \([^ ]*\).*/\1/p' <<<"$sim" | tr '\n' ' ')"
    DEBIAN_FRONTEND=noninteractive apt-get satisfy -y -qq --no-install-recommends "$depstr" >/dev/null
fi
missing=$(find "$tmp_prefix/usr" -type f \( -name '*.so' -o -perm -u=x \) -print0 \
    | while IFS= read -r -d '' f; do
        ldd "$f" 2>/dev/null | sed -n "s|^[[:space:]]*\(.*not found.*\)|${f#"$tmp_prefix"}: \1|p" || true
    done)
[[ -z $missing ]] || die "unresolved libraries: $missing"

# --- the wrapper -----------------------------------------------------------
mkdir -p "$tmp_prefix/bin"
cat >"$tmp_prefix/bin/qemu-system-x86_64" <<EOF
#!/bin/sh
# QEMU $qemu_v from Debian's $backports,
# unpacked beside Debian 12's QEMU 7.2 by scripts/setup-qemu-10.0.sh. Debian builds it non-relocatable: its data
# and module directories are compiled in as /usr/..., which hold 7.2's files.
# -L puts its own first (QEMU still searches the compiled-in ones after them);
# QEMU_MODULE_DIR is searched before the compiled-in $moddir.
QEMU_MODULE_DIR="$prefix$moddir"
export QEMU_MODULE_DIR
exec "$prefix/usr/bin/qemu-system-x86_64" \\
    -L "$prefix/usr/share/qemu" -L "$prefix/usr/share/seabios" -L "$prefix/usr/lib/ipxe/qemu" "\$@"
EOF
chmod 0755 "$tmp_prefix/bin/qemu-system-x86_64"
printf '%s\n' "$new_stamp" >"$tmp_prefix/.setup-stamp"

# Check the unpacked binary before it goes into place.
v=$(QEMU_MODULE_DIR=$tmp_prefix$moddir "$tmp_prefix/usr/bin/qemu-system-x86_64" --version | head -n1)
[[ $v == "QEMU emulator version $want_version."* ]] || die "unpacked binary says: $v"
machines=$(QEMU_MODULE_DIR=$tmp_prefix$moddir "$tmp_prefix/usr/bin/qemu-system-x86_64" -machine help)
for m in pc-i440fx-7.2 pc-q35-7.2; do
    grep -q "^$m " <<<"$machines" || die "QEMU 10.0 has no machine type $m"
done

# --- into place ----------------------------------------------------------
if [[ -e $prefix ]]; then
    old=$(mktemp -d "$(dirname "$prefix")/.$(basename "$prefix").old.XXXXXX")
    mv -T "$prefix" "$old/prev"
    mv -T "$tmp_prefix" "$prefix"
    rm -rf "$old"
else
    mv -T "$tmp_prefix" "$prefix"
fi
trap 'rm -rf "$work"' EXIT

system_qemu_after=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
[[ $system_qemu_after == "$system_qemu_before" ]] \
    || die "qemu-system-x86 changed from '$system_qemu_before' to '$system_qemu_after'"
say "installed into $prefix: $(printf '%s, ' "${versions[@]}" | sed 's/, $//')"
say "use $wrapper ($("$wrapper" --version | head -n1))"
