# lit configuration for btfkit's tool and plugin tests.
#
# Run through ctest (one entry per folder), or by hand:
#   python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv \
#     --param btfkit_site=build/test/lit.site.cfg.py test/btf-dump
import os
import re
import shutil

import lit.formats

# The build's facts (tool and corpus paths) come from the site file CMake
# wrote, named on the command line so that any suite folder can be run.
site = lit_config.params.get("btfkit_site")
if not site or not os.path.exists(site):
    lit_config.fatal("pass --param btfkit_site=BUILD/test/lit.site.cfg.py (ctest does)")
with open(site) as f:
    exec(compile(f.read(), site, "exec"), {"config": config, "lit_config": lit_config})

config.name = "btfkit"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".test", ".c", ".ll"]
config.excludes = ["Inputs", "Unit", "CMakeLists.txt", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.btfkit_obj_root, "test")

path = [config.btfkit_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))]
config.environment["PATH"] = os.pathsep.join(path)
for var in ("HOME", "TMPDIR", "BTFKIT_CORPUS", "CI"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
# The base index cache of the plugin and the link step (IndexedBase.h): one
# in the build tree, not the user's, and used by every test that names a
# base (test/plugin/base-cache.test checks it against no cache).
config.environment["BTFKIT_CACHE_DIR"] = os.path.join(config.btfkit_obj_root, "test", "base-index-cache")

config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%utils", os.path.join(config.btfkit_src_root, "utils")))
config.substitutions.append(("%corpus", config.btfkit_corpus_dir))
config.substitutions.append(("%python", shutil.which("python3") or "python3"))
# The major version of the LLVM the build uses (BTFKIT_LLVM_VERSION).
config.substitutions.append(("%llvm_major", config.llvm_version_major))
if config.btfkit_plugin:
    config.substitutions.append(("%plugin", config.btfkit_plugin))

# Real tools used as oracles or inputs; a test that needs one says REQUIRES.
for tool in ("bpftool", "pahole", "gcc"):
    if shutil.which(tool):
        config.available_features.add(tool)
# The LLVM tools come from the LLVM the build uses (BTFKIT_LLVM_VERSION):
# tests name them unversioned (clang, ld.lld, llvm-objcopy) and find them in
# its bin folder, first on PATH above. The plugin loads only into that
# clang and ld.lld, and ld.lld-btf must match that ld.lld byte for byte.
for tool in ("clang", "clang++", "ld.lld", "llvm-objcopy"):
    if os.path.exists(os.path.join(config.llvm_tools_dir, tool)):
        config.available_features.add(tool)
# A versioned name (clang-19) would bypass that choice, or, in REQUIRES,
# silently skip the test: refuse it.
versioned = re.compile(r"^\s*(RUN|REQUIRES|UNSUPPORTED|XFAIL):.*?"
                       r"(?<![\w.-])((clang|clang\+\+|ld\.lld|opt|llc|llvm-[a-z0-9]+)-[0-9]+)\b")
for dirpath, _, files in os.walk(config.test_source_root):
    for name in files:
        if name.endswith(tuple(config.suffixes)):
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = versioned.match(line)
                    if m:
                        lit_config.fatal("%s:%d: names %s; use %s, which is the build's LLVM's"
                                         % (path, n, m.group(2), m.group(3)))
lit_config.note("LLVM %s tools from %s" % (config.llvm_version_major, config.llvm_tools_dir))

# Tests that change a file's owner (chown) need root, as CI runs.
if hasattr(os, "geteuid") and os.geteuid() == 0:
    config.available_features.add("root")

# The corpus: present when the corpus-prepare fixture unpacked it. On a
# user's machine without it the corpus tests are reported UNSUPPORTED; in CI
# they must run.
if os.path.exists(os.path.join(config.btfkit_corpus_dir, ".prepared")):
    config.available_features.add("corpus")
elif os.environ.get("CI"):
    lit_config.fatal("CI is set but the corpus is missing from %s" % config.btfkit_corpus_dir)
else:
    lit_config.note("corpus not found in %s: corpus tests are skipped" % config.btfkit_corpus_dir)

# libbpf's btf__dedup() as an oracle (test/tools, built when libbpf-dev is).
if os.path.exists(os.path.join(config.btfkit_tools_dir, "btf-dedup-libbpf")):
    config.available_features.add("libbpf")

if os.path.exists("/sys/kernel/btf/vmlinux"):
    config.available_features.add("sysfs-btf")
