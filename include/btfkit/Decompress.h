//===- btfkit/Decompress.h - Compressed inputs, read as they ship -*- C++ -*-//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Distributions ship modules compressed (.ko.xz, .ko.zst, .ko.gz) and
/// kernels as compressed images: readInput() reads any input the way
/// mapFile() does and, when its first bytes say it is compressed, hands out
/// what it holds instead, so that a tool reads a .ko.xz as it reads a .ko.
/// decompress() is the codec underneath, also used on the payload of a
/// kernel image (KernelImage.h).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_DECOMPRESS_H
#define BTFKIT_DECOMPRESS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>

namespace btfkit {

/// The compressed formats told apart by their magic bytes. The kernel's
/// module loader and image builder use gzip, xz, zstd, lz4 (its legacy
/// format for images), lzma, bzip2 and lzo; btfkit reads all but the last
/// two.
enum class Compression {
  None,
  Gzip,
  XZ,
  LZMA, ///< the legacy .lzma ("LZMA alone") format
  Zstd,
  LZ4Frame,
  LZ4Legacy, ///< `lz4 -l`, what the kernel's images use
  Bzip2,
  LZO,
};

/// The compression \p Data starts with (Compression::None for raw BTF, ELF
/// and anything unknown).
Compression detectCompression(llvm::ArrayRef<uint8_t> Data);

/// "gzip", "xz", "zstd", ... as users know them.
const char *compressionName(Compression C);

/// The most btfkit decompresses from one input: more than any vmlinux or
/// module, and a bound for a corrupt or hostile one.
constexpr uint64_t MaxDecompressedSize = uint64_t(1) << 30;

/// Decompresses the first stream of \p Data, compressed as \p C; bytes after
/// it are ignored (a kernel image's payload ends with its size). \p Name
/// names the input in errors and names the result. \p SizeHint is the size
/// expected, when the container tells it (0: unknown). Errors name \p Name
/// and the format: corrupt or truncated data, an unsupported format, more
/// than MaxDecompressedSize bytes.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
decompress(llvm::ArrayRef<uint8_t> Data, Compression C, llvm::StringRef Name,
           uint64_t SizeHint = 0);

/// The contents of \p Path as mapFile() reads them, decompressed when they
/// are compressed (gzip, xz, lzma, zstd, lz4), under the name \p Path.
/// \p WasCompressed, when given, tells which compression was undone.
llvm::Expected<std::shared_ptr<const llvm::MemoryBuffer>>
readInput(llvm::StringRef Path, Compression *WasCompressed = nullptr);

} // namespace btfkit

#endif // BTFKIT_DECOMPRESS_H
