//===- DecompressTest.cpp - Compressed inputs and kernel images -----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each codec round-trips data made by its own library's compressor, also
// past the output's first guess; truncated and corrupt streams are errors
// that name the input; bzImage headers and linux_banner are found.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Decompress.h"
#include "btfkit/KernelImage.h"

#include "TestSupport.h"
#include "llvm/Support/Endian.h"
#include "gtest/gtest.h"

#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

using namespace btfkit;
using namespace llvm;

namespace {

/// Compressible bytes: a counter and some text, \p N of them.
std::vector<uint8_t> sample(size_t N) {
  std::vector<uint8_t> D(N);
  for (size_t I = 0; I < N; ++I)
    D[I] = uint8_t((I % 251) ^ (I / 4096));
  return D;
}

std::vector<uint8_t> gzipOf(ArrayRef<uint8_t> In) {
  z_stream S = {};
  EXPECT_EQ(
      deflateInit2(&S, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::vector<uint8_t> Out(deflateBound(&S, In.size()));
  S.next_in = const_cast<Bytef *>(In.data());
  S.avail_in = In.size();
  S.next_out = Out.data();
  S.avail_out = Out.size();
  EXPECT_EQ(deflate(&S, Z_FINISH), Z_STREAM_END);
  Out.resize(S.total_out);
  deflateEnd(&S);
  return Out;
}

std::vector<uint8_t> xzOf(ArrayRef<uint8_t> In, bool Alone = false) {
  std::vector<uint8_t> Out(In.size() + In.size() / 2 + 4096);
  lzma_stream S = LZMA_STREAM_INIT;
  if (Alone) {
    lzma_options_lzma O;
    lzma_lzma_preset(&O, 6);
    EXPECT_EQ(lzma_alone_encoder(&S, &O), LZMA_OK);
  } else {
    EXPECT_EQ(lzma_easy_encoder(&S, 6, LZMA_CHECK_CRC32), LZMA_OK);
  }
  S.next_in = In.data();
  S.avail_in = In.size();
  S.next_out = Out.data();
  S.avail_out = Out.size();
  EXPECT_EQ(lzma_code(&S, LZMA_FINISH), LZMA_STREAM_END);
  Out.resize(S.total_out);
  lzma_end(&S);
  return Out;
}

std::vector<uint8_t> zstdOf(ArrayRef<uint8_t> In) {
  std::vector<uint8_t> Out(ZSTD_compressBound(In.size()));
  size_t N = ZSTD_compress(Out.data(), Out.size(), In.data(), In.size(), 3);
  EXPECT_FALSE(ZSTD_isError(N));
  Out.resize(N);
  return Out;
}

std::vector<uint8_t> lz4FrameOf(ArrayRef<uint8_t> In) {
  std::vector<uint8_t> Out(LZ4F_compressFrameBound(In.size(), nullptr));
  size_t N =
      LZ4F_compressFrame(Out.data(), Out.size(), In.data(), In.size(), nullptr);
  EXPECT_FALSE(LZ4F_isError(N));
  Out.resize(N);
  return Out;
}

/// The legacy format of `lz4 -l`: the magic, then blocks of 8 MiB at most.
std::vector<uint8_t> lz4LegacyOf(ArrayRef<uint8_t> In) {
  std::vector<uint8_t> Out = {0x02, 0x21, 0x4c, 0x18};
  for (size_t Pos = 0; Pos < In.size(); Pos += 8 << 20) {
    size_t N = std::min<size_t>(In.size() - Pos, 8 << 20);
    std::vector<char> Block(LZ4_compressBound(int(N)));
    int C =
        LZ4_compress_default(reinterpret_cast<const char *>(In.data()) + Pos,
                             Block.data(), int(N), int(Block.size()));
    EXPECT_GT(C, 0);
    uint8_t Size[4];
    support::endian::write32le(Size, uint32_t(C));
    Out.insert(Out.end(), Size, Size + 4);
    Out.insert(Out.end(), Block.begin(), Block.begin() + C);
  }
  return Out;
}

void expectRoundTrip(ArrayRef<uint8_t> Packed, Compression C,
                     ArrayRef<uint8_t> Plain, uint64_t Hint = 0) {
  EXPECT_EQ(detectCompression(Packed), C);
  auto Out = decompress(Packed, C, "in", Hint);
  ASSERT_EXPECTED(Out);
  EXPECT_EQ((*Out)->getBufferIdentifier(), "in");
  ASSERT_EQ((*Out)->getBufferSize(), Plain.size());
  EXPECT_EQ(std::memcmp((*Out)->getBufferStart(), Plain.data(), Plain.size()),
            0);
}

TEST(Decompress, EveryCodecRoundTrips) {
  // 3 MiB of very compressible data: far beyond the first guess of four
  // times the input, so the output grows several times.
  std::vector<uint8_t> Plain = sample(3 << 20);
  expectRoundTrip(gzipOf(Plain), Compression::Gzip, Plain);
  expectRoundTrip(xzOf(Plain), Compression::XZ, Plain);
  expectRoundTrip(xzOf(Plain, /*Alone=*/true), Compression::LZMA, Plain);
  expectRoundTrip(zstdOf(Plain), Compression::Zstd, Plain);
  expectRoundTrip(lz4FrameOf(Plain), Compression::LZ4Frame, Plain);
  expectRoundTrip(lz4LegacyOf(Plain), Compression::LZ4Legacy, Plain);
  // A hint too small or too large changes nothing.
  expectRoundTrip(gzipOf(Plain), Compression::Gzip, Plain, 10);
  expectRoundTrip(zstdOf(Plain), Compression::Zstd, Plain, 100 << 20);
}

TEST(Decompress, EmptyAndTinyInputs) {
  std::vector<uint8_t> Empty;
  expectRoundTrip(gzipOf(Empty), Compression::Gzip, Empty);
  expectRoundTrip(xzOf(Empty), Compression::XZ, Empty);
  expectRoundTrip(zstdOf(Empty), Compression::Zstd, Empty);
  std::vector<uint8_t> One = {42};
  expectRoundTrip(xzOf(One), Compression::XZ, One);
}

TEST(Decompress, BytesAfterTheStreamAreIgnored) {
  // A kernel image's payload ends with its decompressed size.
  std::vector<uint8_t> Plain = sample(100000);
  for (auto Packed :
       {gzipOf(Plain), xzOf(Plain), zstdOf(Plain), lz4LegacyOf(Plain)}) {
    Compression C = detectCompression(Packed);
    Packed.insert(Packed.end(), {0xa0, 0x86, 0x01, 0x00});
    expectRoundTrip(Packed, C, Plain);
  }
}

TEST(Decompress, TruncatedAndCorruptStreamsAreErrors) {
  std::vector<uint8_t> Plain = sample(200000);
  for (auto Packed :
       {gzipOf(Plain), xzOf(Plain), zstdOf(Plain), lz4FrameOf(Plain)}) {
    Compression C = detectCompression(Packed);
    std::vector<uint8_t> Cut(Packed.begin(),
                             Packed.begin() + Packed.size() / 2);
    auto Out = decompress(Cut, C, "cut.bin");
    ASSERT_FALSE(Out) << compressionName(C);
    std::string Msg = toString(Out.takeError());
    EXPECT_EQ(Msg.rfind(std::string("cut.bin: ") + compressionName(C), 0), 0u)
        << Msg;
    EXPECT_NE(Msg.find("truncated"), std::string::npos) << Msg;

    std::vector<uint8_t> Bad = Packed;
    for (size_t I = 20; I < Bad.size() - 20; I += 97)
      Bad[I] ^= 0x5a;
    auto Out2 = decompress(Bad, C, "bad.bin");
    EXPECT_FALSE(Out2) << compressionName(C);
    if (!Out2)
      EXPECT_NE(toString(Out2.takeError()).find("bad.bin"), std::string::npos);
  }
}

TEST(Decompress, UnreadFormatsAreNamed) {
  std::vector<uint8_t> Bz = {'B', 'Z', 'h', '9', 0x31, 0x41, 0x59, 0x26};
  EXPECT_EQ(detectCompression(Bz), Compression::Bzip2);
  auto Out = decompress(Bz, Compression::Bzip2, "m.ko.bz2");
  ASSERT_FALSE(Out);
  EXPECT_EQ(toString(Out.takeError()),
            "m.ko.bz2: is compressed with bzip2, which btfkit does not read: "
            "decompress it first");
  // Raw BTF and ELF are not compressed, whatever their later bytes.
  std::vector<uint8_t> BTF = {0x9f, 0xeb, 1, 0, 24, 0, 0, 0};
  std::vector<uint8_t> ELF = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  EXPECT_EQ(detectCompression(BTF), Compression::None);
  EXPECT_EQ(detectCompression(ELF), Compression::None);
}

TEST(Decompress, ReadInputDecompressesFiles) {
  TempDir D;
  std::vector<uint8_t> Plain = sample(50000);
  std::vector<uint8_t> Packed = xzOf(Plain);
  std::string Path = D.file("m.ko.xz");
  {
    std::error_code EC;
    raw_fd_ostream OS(Path, EC);
    ASSERT_FALSE(EC);
    OS.write(reinterpret_cast<const char *>(Packed.data()), Packed.size());
  }
  Compression C = Compression::None;
  auto In = readInput(Path, &C);
  ASSERT_EXPECTED(In);
  EXPECT_EQ(C, Compression::XZ);
  EXPECT_EQ((*In)->getBufferIdentifier(), Path);
  ASSERT_EQ((*In)->getBufferSize(), Plain.size());
  EXPECT_EQ(std::memcmp((*In)->getBufferStart(), Plain.data(), Plain.size()),
            0);
}

/// A bzImage of \p Payload (boot protocol 2.15), with \p Version.
std::vector<uint8_t> bzImage(ArrayRef<uint8_t> Payload, StringRef Version) {
  std::vector<uint8_t> Img(1024 + 16);
  Img[0x1f1] = 1; // setup_sects
  std::memcpy(&Img[0x202], "HdrS", 4);
  support::endian::write16le(&Img[0x206], 0x20f);
  std::memcpy(&Img[0x300], Version.data(), Version.size());
  support::endian::write16le(&Img[0x20e], 0x100);
  support::endian::write32le(&Img[0x248], 16);
  support::endian::write32le(&Img[0x24c], uint32_t(Payload.size()));
  Img.insert(Img.end(), Payload.begin(), Payload.end());
  return Img;
}

TEST(KernelImage, BootImagePayloadAndVersion) {
  std::vector<uint8_t> Plain = sample(10000);
  std::vector<uint8_t> Payload = zstdOf(Plain);
  uint8_t Size[4];
  support::endian::write32le(Size, uint32_t(Plain.size()));
  Payload.insert(Payload.end(), Size, Size + 4);
  std::vector<uint8_t> Img =
      bzImage(Payload, "6.12.117+deb13-rt-amd64 (debian-kernel@lists) #1 SMP");
  auto P = findBootImagePayload(Img);
  ASSERT_TRUE(P);
  EXPECT_EQ(P->Size, Plain.size());
  EXPECT_EQ(P->Data.size(), Payload.size());
  EXPECT_EQ(detectCompression(P->Data), Compression::Zstd);
  EXPECT_EQ(P->Version, "6.12.117+deb13-rt-amd64 (debian-kernel@lists) #1 SMP");
  EXPECT_EQ(releaseOf(P->Version), "6.12.117+deb13-rt-amd64");

  // Before protocol 2.08 there is no payload field; "HdrS" must be there;
  // a payload past the end is not one.
  std::vector<uint8_t> Old = Img;
  support::endian::write16le(&Old[0x206], 0x207);
  EXPECT_FALSE(findBootImagePayload(Old));
  std::vector<uint8_t> NoMagic = Img;
  NoMagic[0x202] = 'X';
  EXPECT_FALSE(findBootImagePayload(NoMagic));
  std::vector<uint8_t> Long = Img;
  support::endian::write32le(&Long[0x24c], uint32_t(Img.size()));
  EXPECT_FALSE(findBootImagePayload(Long));
  EXPECT_FALSE(findBootImagePayload(Plain));
}

TEST(KernelImage, LinuxBanner) {
  // The printf format of linux_proc_banner comes first and is skipped.
  using namespace std::string_literals;
  std::string Image = "junk\0%s version %s (\0Linux version 6.1.0-50-amd64 "
                      "(debian-kernel@lists.debian.org) #1 SMP\n\0tail"s;
  std::vector<uint8_t> Data(Image.begin(), Image.end());
  EXPECT_EQ(findLinuxBanner(Data),
            "6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP");
  EXPECT_EQ(findLinuxBanner(sample(5000)), "");
}

} // namespace
