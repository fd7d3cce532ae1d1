#!/bin/busybox sh
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# /init of the real-kernel suite's initramfs (utils/kernels/real-kernels.py).
# For each line "ID MODULE FILE EXPECTED [DEPENDENCY...]" of /cases it loads
# the dependencies (the target's own modules), then FILE, and reports on the
# console, each line starting with "@@":
#   begin ID                        before anything is loaded
#   case ID load=ok|errno-N-NAME btf=present|absent cmp=same|differs|-
#   dmesg ID LINE                   what the kernel logged meanwhile
#   b64 ID LINE                     /sys/kernel/btf/MODULE when it differs
# then unloads all of them again. EXPECTED is the BTF btfkit predicts in
# /sys/kernel/btf/MODULE, or "-". "@@ done" ends the run.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
dmesg -c >/dev/null
echo "@@ kernel $(uname -r)"
unload() {
  for m in "$@"; do /modload unload "$m" >/dev/null; done
}
while read -r id mod file expected deps; do
  echo "@@ begin $id"
  loaded=""
  for d in $deps; do
    /modload load "/m/$d.ko" >/dev/null && loaded="${d##*/} $loaded"
  done
  result=$(/modload load "$file" | tr ' ' '-')
  cmpresult=-
  if [ -e "/sys/kernel/btf/$mod" ]; then
    btf=present
    if [ "$expected" != - ]; then
      if cmp -s "/sys/kernel/btf/$mod" "$expected"; then cmpresult=same; else cmpresult=differs; fi
    fi
  else
    btf=absent
  fi
  echo "@@ case $id load=$result btf=$btf cmp=$cmpresult"
  if [ "$cmpresult" = differs ]; then
    base64 "/sys/kernel/btf/$mod" | sed "s/^/@@ b64 $id /"
  fi
  dmesg -c | sed "s/^/@@ dmesg $id /"
  unload "$mod" $loaded
  dmesg -c >/dev/null
done </cases
echo "@@ done"
poweroff -f
