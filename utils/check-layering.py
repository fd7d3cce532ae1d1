#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Checks that btfkit's layers depend one way (docs/Architecture.md).

    utils/check-layering.py [SOURCE_ROOT]

Every public header (include/btfkit/X.h) belongs to one layer, and every
file of lib/<Layer>/ and every public header may include btfkit headers of
its own layer and of the layers below it only; tools/ may include any
layer but Emit (the plugin's, which links LLVM IR). Files may include
private headers of their own folder only ("Name.h", never "../Other/...").
Each folder's CMake DEPENDS must also list every layer its files include,
so that what compiles also links. Prints each violation as
FILE:LINE: message and exits 1 when there is any (the ctest entry
`layering` runs it).
"""
import os
import re
import sys

# The layer of each public header; Config.h is generated into the build.
HEADER_LAYER = {
    "BTF.h": "Core", "BTFIds.h": "Core", "Format.h": "Core", "BTFKinds.def": "Core",
    "Record.h": "Core", "Reader.h": "Core", "Builder.h": "Core", "Writer.h": "Core",
    "ELFObject.h": "Core", "OutputFile.h": "Core", "ToolSupport.h": "Core",
    "TypeWalk.h": "Core", "Fragment.h": "Core", "Error.h": "Core", "Config.h": "Core",
    "LLVMCompat.h": "Core",
    "Decompress.h": "Core", "KernelImage.h": "Core",
    "Validate.h": "Check", "KernelVersion.h": "Check", "ForeignBase.h": "Check",
    "KernelBase.h": "Check",
    "Dedup.h": "Transform", "Distill.h": "Transform", "DistillModule.h": "Transform", "Relocate.h": "Transform",
    "ResolveBTFIds.h": "Transform",
    "BaseIndex.h": "Transform",
    "Dump.h": "Report", "Diff.h": "Report", "Explain.h": "Report", "Verdict.h": "Report",
    "ModuleInput.h": "Report", "CompatReport.h": "Report",
    "Encode.h": "Encode", "EncodePolicy.h": "Encode", "IndexedBase.h": "Encode",
    "Emit.h": "Emit", "EmitFragment.h": "Emit",
    "Link.h": "Link",
}

# What each layer may use (itself included).
ALLOWED = {
    "Core": {"Core"},
    "Check": {"Core", "Check"},
    "Transform": {"Core", "Transform"},
    "Report": {"Core", "Check", "Transform", "Report"},
    "Encode": {"Core", "Transform", "Encode"},
    "Emit": {"Core", "Transform", "Encode", "Emit"},
    "Link": {"Core", "Check", "Transform", "Report", "Encode", "Link"},
    "tools": {"Core", "Check", "Transform", "Report", "Encode", "Link"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def check_file(path, layer, problems):
    used = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            if inc.startswith("btfkit/"):
                name = inc[len("btfkit/"):]
                dep = HEADER_LAYER.get(name)
                if dep is None:
                    problems.append("%s:%d: btfkit/%s has no layer in utils/check-layering.py"
                                    % (path, n, name))
                elif dep not in ALLOWED[layer]:
                    problems.append("%s:%d: %s includes btfkit/%s of layer %s, which it may not use"
                                    % (path, n, layer, name, dep))
                else:
                    used.add(dep)
            elif "/" in inc and not inc.startswith(("llvm/", "lld/", "gtest/", "gmock/")):
                problems.append("%s:%d: includes %s from another folder" % (path, n, inc))
    return used


def declared_depends(cmake):
    """Layers a lib folder's CMakeLists.txt names after DEPENDS."""
    text = open(cmake, encoding="utf-8").read()
    m = re.search(r"DEPENDS(.*?)\)", text, re.S)
    return set(re.findall(r"BTFKit(\w+)", m.group(1))) if m else set()


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    problems = []
    checked = 0
    # A layer uses what its public headers include too.
    header_uses = {}
    inc_dir = os.path.join(root, "include", "btfkit")
    for name in sorted(os.listdir(inc_dir)):
        if name.endswith(".h"):
            layer = HEADER_LAYER.get(name)
            if layer is None:
                problems.append("%s: public header without a layer in utils/check-layering.py"
                                % os.path.join(inc_dir, name))
                continue
            header_uses.setdefault(layer, set()).update(
                check_file(os.path.join(inc_dir, name), layer, problems))
            checked += 1
    for layer in sorted(os.listdir(os.path.join(root, "lib"))):
        folder = os.path.join(root, "lib", layer)
        if not os.path.isdir(folder):
            continue
        if layer not in ALLOWED:
            problems.append("%s: a lib folder with no layer in utils/check-layering.py" % folder)
            continue
        used = set(header_uses.get(layer, ()))
        for name in sorted(os.listdir(folder)):
            if name.endswith((".cpp", ".h")):
                used |= check_file(os.path.join(folder, name), layer, problems)
                checked += 1
        declared = declared_depends(os.path.join(folder, "CMakeLists.txt")) | {layer}
        for dep in sorted(used - declared):
            problems.append("%s: lib/%s uses layer %s but its DEPENDS does not name BTFKit%s"
                            % (os.path.join(folder, "CMakeLists.txt"), layer, dep, dep))
    for dirpath, _, files in os.walk(os.path.join(root, "tools")):
        for name in sorted(files):
            if name.endswith((".cpp", ".h")):
                check_file(os.path.join(dirpath, name), "tools", problems)
                checked += 1
    for p in problems:
        print(p)
    print("check-layering: %d files, %d problems" % (checked, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
