//===- btfkit/KernelImage.h - A kernel's BTF, as kernels ship ---*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A kernel's BTF from whatever file a distribution or a build gives: raw
/// BTF (/sys/kernel/btf/vmlinux, a dump), a vmlinux ELF, or the compressed
/// boot image (an x86 bzImage, `vmlinuz`) whose payload is the vmlinux ELF,
/// any of them compressed as a whole too (Decompress.h). The kernel's
/// release is read where the file tells it: the image header's version
/// string, or the vmlinux's `linux_banner` ("Linux version 6.12.117+deb13-
/// amd64 (...)").
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_KERNELIMAGE_H
#define BTFKIT_KERNELIMAGE_H

#include "btfkit/BTF.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace btfkit {

/// One kernel's BTF and what its file says about it.
struct KernelBTF {
  std::string Path;
  /// The release (`uname -r`: "6.12.117+deb13-rt-amd64"); empty when the
  /// file does not tell it (raw BTF other than the running kernel's).
  std::string Release;
  /// The whole version string the release was read from ("6.12.117+deb13-
  /// amd64 (debian-kernel@lists.debian.org) #1 SMP ..."), or empty.
  std::string Version;
  /// What the file was: "raw BTF", "vmlinux ELF", "bzImage, zstd", and
  /// ", xz-compressed" when compressed as a whole.
  std::string Origin;
  /// The kernel's BTF (a base BTF). It owns the bytes it is read from.
  std::unique_ptr<BTF> B;
};

/// Loads the kernel BTF of \p Path (see the file comment). Errors name the
/// file and what it lacks: a boot image whose payload is not an ELF (arm64's
/// Image) or not compressed in a format btfkit reads, an ELF without .BTF,
/// split BTF where a kernel's is wanted.
llvm::Expected<KernelBTF> loadKernelBTF(llvm::StringRef Path);

/// The payload of an x86 boot image (bzImage: the setup header's "HdrS",
/// boot protocol 2.08 or later): the compressed vmlinux, its compression
/// and its decompressed size (the kernel appends it). std::nullopt when
/// \p Image is not a bzImage.
struct BootImagePayload {
  llvm::ArrayRef<uint8_t> Data;
  uint64_t Size = 0;
  /// The header's kernel version string, or empty.
  std::string Version;
};
std::optional<BootImagePayload>
findBootImagePayload(llvm::ArrayRef<uint8_t> Image);

/// The version string of `linux_banner` in a vmlinux image ("6.12.117+deb13-
/// amd64 (...) #1 SMP ..."), or empty when there is none.
std::string findLinuxBanner(llvm::ArrayRef<uint8_t> Image);

/// The release at the start of a version string: its first word.
llvm::StringRef releaseOf(llvm::StringRef Version);

} // namespace btfkit

#endif // BTFKIT_KERNELIMAGE_H
