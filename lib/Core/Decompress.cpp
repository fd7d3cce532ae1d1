//===- Decompress.cpp - Compressed inputs, read as they ship --------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each codec is driven the same way: it fills an output that grows by
// doubling from the size the container announces (or a guess) until the
// stream ends, and whatever follows the stream is left alone. The libraries
// are Debian's: zlib, liblzma, libzstd, liblz4.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Decompress.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/SmallVectorMemoryBuffer.h"

#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

using namespace btfkit;
using namespace llvm;

static bool startsWith(ArrayRef<uint8_t> Data,
                       std::initializer_list<uint8_t> Magic) {
  return Data.size() >= Magic.size() &&
         std::equal(Magic.begin(), Magic.end(), Data.begin());
}

Compression btfkit::detectCompression(ArrayRef<uint8_t> Data) {
  if (startsWith(Data, {0x1f, 0x8b}))
    return Compression::Gzip;
  if (startsWith(Data, {0xfd, '7', 'z', 'X', 'Z', 0x00}))
    return Compression::XZ;
  if (startsWith(Data, {0x28, 0xb5, 0x2f, 0xfd}))
    return Compression::Zstd;
  if (startsWith(Data, {0x04, 0x22, 0x4d, 0x18}))
    return Compression::LZ4Frame;
  if (startsWith(Data, {0x02, 0x21, 0x4c, 0x18}))
    return Compression::LZ4Legacy;
  if (startsWith(Data, {'B', 'Z', 'h'}))
    return Compression::Bzip2;
  if (startsWith(Data, {0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a}))
    return Compression::LZO;
  // LZMA alone has no magic: its properties byte (lc=3 lp=0 pb=2, what
  // every encoder writes) and a dictionary size below 4 GiB.
  if (startsWith(Data, {0x5d, 0x00}) && Data.size() >= 13 && Data[4] == 0 &&
      !looksLikeRawBTF(Data) && !looksLikeELF(Data))
    return Compression::LZMA;
  return Compression::None;
}

const char *btfkit::compressionName(Compression C) {
  switch (C) {
  case Compression::None:
    return "uncompressed";
  case Compression::Gzip:
    return "gzip";
  case Compression::XZ:
    return "xz";
  case Compression::LZMA:
    return "lzma";
  case Compression::Zstd:
    return "zstd";
  case Compression::LZ4Frame:
  case Compression::LZ4Legacy:
    return "lz4";
  case Compression::Bzip2:
    return "bzip2";
  case Compression::LZO:
    return "lzo";
  }
  return "unknown";
}

namespace {

/// The output of one decompression: grows by doubling, bounded by
/// MaxDecompressedSize.
class Output {
public:
  Output(StringRef Name, const char *Format, uint64_t Guess)
      : Name(Name), Format(Format) {
    Bytes.resize_for_overwrite(size_t(std::min<uint64_t>(
        std::max<uint64_t>(Guess, 1 << 16), MaxDecompressedSize)));
  }
  /// Room for at least \p Want more bytes, or an error past the bound.
  Error makeRoom(size_t Want = 1) {
    while (room() < Want) {
      if (Bytes.size() >= MaxDecompressedSize)
        return fail("decompresses to more than " +
                    Twine(MaxDecompressedSize >> 20) +
                    " MiB, the most btfkit reads from one input");
      Bytes.resize_for_overwrite(size_t(
          std::min<uint64_t>(uint64_t(Bytes.size()) * 2, MaxDecompressedSize)));
    }
    return Error::success();
  }
  char *next() { return Bytes.data() + Used; }
  size_t room() const { return Bytes.size() - Used; }
  void produced(size_t N) { Used += N; }
  Error fail(const Twine &Why) const {
    return makeError(Name, Twine(Format) + " data " + Why);
  }
  std::unique_ptr<MemoryBuffer> take() {
    Bytes.truncate(Used);
    return std::make_unique<SmallVectorMemoryBuffer>(
        std::move(Bytes), Name, /*RequiresNullTerminator=*/false);
  }

private:
  std::string Name;
  const char *Format;
  SmallVector<char, 0> Bytes;
  size_t Used = 0;
};

Error inflateGzip(ArrayRef<uint8_t> In, Output &Out) {
  z_stream S = {};
  if (inflateInit2(&S, 16 + MAX_WBITS) != Z_OK)
    return Out.fail("cannot be read: zlib failed to start");
  S.next_in = const_cast<Bytef *>(In.data());
  S.avail_in = uInt(std::min<size_t>(In.size(), UINT32_MAX));
  int R = Z_OK;
  while (R != Z_STREAM_END) {
    if (Error E = Out.makeRoom()) {
      inflateEnd(&S);
      return E;
    }
    S.next_out = reinterpret_cast<Bytef *>(Out.next());
    S.avail_out = uInt(std::min<size_t>(Out.room(), UINT32_MAX));
    uInt Before = S.avail_out;
    R = inflate(&S, Z_NO_FLUSH);
    Out.produced(Before - S.avail_out);
    if (R == Z_BUF_ERROR && S.avail_in == 0)
      break;
    if (R != Z_OK && R != Z_STREAM_END && R != Z_BUF_ERROR) {
      std::string Msg = S.msg ? S.msg : "error " + std::to_string(R);
      inflateEnd(&S);
      return Out.fail("is corrupt (" + Msg + ")");
    }
  }
  inflateEnd(&S);
  if (R != Z_STREAM_END)
    return Out.fail("is truncated");
  return Error::success();
}

Error decodeLZMA(ArrayRef<uint8_t> In, Output &Out, bool Alone) {
  lzma_stream S = LZMA_STREAM_INIT;
  lzma_ret R = Alone ? lzma_alone_decoder(&S, UINT64_MAX)
                     : lzma_stream_decoder(&S, UINT64_MAX, 0);
  if (R != LZMA_OK)
    return Out.fail("cannot be read: liblzma failed to start");
  S.next_in = In.data();
  S.avail_in = In.size();
  while (R == LZMA_OK) {
    if (Error E = Out.makeRoom()) {
      lzma_end(&S);
      return E;
    }
    S.next_out = reinterpret_cast<uint8_t *>(Out.next());
    S.avail_out = Out.room();
    size_t Before = S.avail_out;
    R = lzma_code(&S, LZMA_FINISH);
    Out.produced(Before - S.avail_out);
    // LZMA_BUF_ERROR with output room left: the input ended early.
    if (R == LZMA_BUF_ERROR && S.avail_out == 0)
      R = LZMA_OK;
  }
  lzma_end(&S);
  switch (R) {
  case LZMA_STREAM_END:
    return Error::success();
  case LZMA_BUF_ERROR:
    return Out.fail("is truncated");
  case LZMA_MEM_ERROR:
    return Out.fail("cannot be read: out of memory");
  case LZMA_FORMAT_ERROR:
  case LZMA_OPTIONS_ERROR:
    return Out.fail("is not in a format liblzma reads");
  default:
    return Out.fail("is corrupt (liblzma error " + Twine(int(R)) + ")");
  }
}

Error decodeZstd(ArrayRef<uint8_t> In, Output &Out) {
  ZSTD_DStream *S = ZSTD_createDStream();
  if (!S)
    return Out.fail("cannot be read: libzstd failed to start");
  ZSTD_inBuffer Src = {In.data(), In.size(), 0};
  size_t R = 1;
  while (R != 0) {
    if (Error E = Out.makeRoom()) {
      ZSTD_freeDStream(S);
      return E;
    }
    ZSTD_outBuffer Dst = {Out.next(), Out.room(), 0};
    size_t InBefore = Src.pos;
    R = ZSTD_decompressStream(S, &Dst, &Src);
    Out.produced(Dst.pos);
    if (ZSTD_isError(R)) {
      std::string Msg = ZSTD_getErrorName(R);
      ZSTD_freeDStream(S);
      return Out.fail("is corrupt (" + Msg + ")");
    }
    // Nothing consumed, nothing produced, more wanted: the input ended.
    if (R != 0 && Dst.pos == 0 && Src.pos == InBefore && Src.pos == Src.size) {
      ZSTD_freeDStream(S);
      return Out.fail("is truncated");
    }
  }
  ZSTD_freeDStream(S);
  return Error::success();
}

Error decodeLZ4Frame(ArrayRef<uint8_t> In, Output &Out) {
  LZ4F_dctx *Ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&Ctx, LZ4F_VERSION)))
    return Out.fail("cannot be read: liblz4 failed to start");
  size_t Pos = 0, R = 1;
  while (R != 0) {
    if (Error E = Out.makeRoom()) {
      LZ4F_freeDecompressionContext(Ctx);
      return E;
    }
    size_t DstSize = Out.room(), SrcSize = In.size() - Pos;
    R = LZ4F_decompress(Ctx, Out.next(), &DstSize, In.data() + Pos, &SrcSize,
                        nullptr);
    Out.produced(DstSize);
    Pos += SrcSize;
    if (LZ4F_isError(R)) {
      std::string Msg = LZ4F_getErrorName(R);
      LZ4F_freeDecompressionContext(Ctx);
      return Out.fail("is corrupt (" + Msg + ")");
    }
    if (R != 0 && Pos == In.size() && DstSize == 0) {
      LZ4F_freeDecompressionContext(Ctx);
      return Out.fail("is truncated");
    }
  }
  LZ4F_freeDecompressionContext(Ctx);
  return Error::success();
}

/// The legacy format (`lz4 -l`, the kernel's lz4 images): the magic, then
/// blocks of a little-endian compressed size and the data, each at most
/// 8 MiB decompressed. The stream ends with the input, or where a block
/// size no longer fits (a kernel image's appended size).
Error decodeLZ4Legacy(ArrayRef<uint8_t> In, Output &Out) {
  constexpr uint32_t Magic = 0x184c2102, MaxBlock = 8 << 20;
  size_t Pos = 4;
  unsigned Blocks = 0;
  while (In.size() - Pos >= 4) {
    uint32_t Size = support::endian::read32le(In.data() + Pos);
    if (Size == Magic) { // a concatenated stream
      Pos += 4;
      continue;
    }
    if (Size > In.size() - Pos - 4 ||
        Size > uint32_t(LZ4_compressBound(MaxBlock))) {
      if (Blocks)
        break;
      return Out.fail("is truncated");
    }
    Pos += 4;
    if (Error E = Out.makeRoom(MaxBlock))
      return E;
    int N = LZ4_decompress_safe(reinterpret_cast<const char *>(In.data()) + Pos,
                                Out.next(), int(Size), int(MaxBlock));
    if (N < 0)
      return Out.fail("is corrupt (block " + Twine(Blocks) + ")");
    Out.produced(size_t(N));
    Pos += Size;
    ++Blocks;
  }
  if (!Blocks)
    return Out.fail("is truncated");
  return Error::success();
}

/// The decompressed size the index of an xz file records (0: unknown, as
/// for a stream followed by other bytes): the output is then allocated once.
uint64_t xzRecordedSize(ArrayRef<uint8_t> In) {
  if (In.size() < 2 * LZMA_STREAM_HEADER_SIZE)
    return 0;
  const uint8_t *Footer = In.end() - LZMA_STREAM_HEADER_SIZE;
  lzma_stream_flags Flags;
  if (lzma_stream_footer_decode(&Flags, Footer) != LZMA_OK ||
      Flags.backward_size > In.size() - 2 * LZMA_STREAM_HEADER_SIZE)
    return 0;
  lzma_index *Index = nullptr;
  uint64_t MemLimit = UINT64_MAX;
  size_t Pos = 0;
  if (lzma_index_buffer_decode(&Index, &MemLimit, nullptr,
                               Footer - Flags.backward_size, &Pos,
                               Flags.backward_size) != LZMA_OK)
    return 0;
  uint64_t Size = lzma_index_uncompressed_size(Index);
  lzma_index_end(Index, nullptr);
  return Size;
}

} // namespace

Expected<std::unique_ptr<MemoryBuffer>>
btfkit::decompress(ArrayRef<uint8_t> Data, Compression C, StringRef Name,
                   uint64_t SizeHint) {
  uint64_t Guess = SizeHint ? SizeHint : uint64_t(Data.size()) * 4;
  if (C == Compression::Zstd && !SizeHint) {
    unsigned long long N = ZSTD_getFrameContentSize(Data.data(), Data.size());
    if (N != ZSTD_CONTENTSIZE_UNKNOWN && N != ZSTD_CONTENTSIZE_ERROR)
      Guess = N;
  }
  if (C == Compression::XZ && !SizeHint)
    if (uint64_t N = xzRecordedSize(Data))
      Guess = N;
  // A hint that is exact leaves room for one more byte, so that the end of
  // the stream is seen without growing the output.
  Output Out(Name, compressionName(C), Guess + 1);
  Error E = Error::success();
  switch (C) {
  case Compression::Gzip:
    E = inflateGzip(Data, Out);
    break;
  case Compression::XZ:
  case Compression::LZMA:
    E = decodeLZMA(Data, Out, C == Compression::LZMA);
    break;
  case Compression::Zstd:
    E = decodeZstd(Data, Out);
    break;
  case Compression::LZ4Frame:
    E = decodeLZ4Frame(Data, Out);
    break;
  case Compression::LZ4Legacy:
    E = decodeLZ4Legacy(Data, Out);
    break;
  case Compression::None:
    return makeError(Name, "is not compressed");
  case Compression::Bzip2:
  case Compression::LZO:
    return makeError(Name, Twine("is compressed with ") + compressionName(C) +
                               ", which btfkit does not read: decompress it "
                               "first");
  }
  if (E)
    return E;
  return Out.take();
}

Expected<std::shared_ptr<const MemoryBuffer>>
btfkit::readInput(StringRef Path, Compression *WasCompressed) {
  auto Contents = mapFile(Path);
  if (!Contents)
    return Contents.takeError();
  ArrayRef<uint8_t> Data = arrayRefFromStringRef((*Contents)->getBuffer());
  Compression C = detectCompression(Data);
  if (WasCompressed)
    *WasCompressed = C;
  if (C == Compression::None)
    return std::move(*Contents);
  auto Out = decompress(Data, C, (*Contents)->getBufferIdentifier());
  if (!Out)
    return Out.takeError();
  return std::shared_ptr<const MemoryBuffer>(std::move(*Out));
}
