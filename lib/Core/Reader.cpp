//===- Reader.cpp - Loading BTF from raw files and ELF objects ------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Reader.h"
#include "btfkit/Error.h"
#include "btfkit/Fragment.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

using namespace btfkit;
using namespace llvm;

bool btfkit::looksLikeRawBTF(ArrayRef<uint8_t> Data) {
  // 0xeB9F stored little-endian is 9f eb; big-endian eb 9f.
  return Data.size() >= 2 && ((Data[0] == 0x9f && Data[1] == 0xeb) ||
                              (Data[0] == 0xeb && Data[1] == 0x9f));
}

bool btfkit::looksLikeELF(ArrayRef<uint8_t> Data) {
  return Data.size() >= 4 && Data[0] == 0x7f && Data[1] == 'E' &&
         Data[2] == 'L' && Data[3] == 'F';
}

Expected<std::optional<ArrayRef<uint8_t>>>
btfkit::findELFSection(StringRef Path, ArrayRef<uint8_t> Image,
                       StringRef Name) {
  MemoryBufferRef Ref(toStringRef(Image), Path);
  auto ObjOrErr = object::ObjectFile::createObjectFile(Ref);
  if (!ObjOrErr)
    return makeError(Path,
                     "not a valid ELF file: " + toString(ObjOrErr.takeError()));
  if (!isa<object::ELFObjectFileBase>(**ObjOrErr))
    return makeError(Path, "not an ELF file", ErrorKind::NotELF);
  for (const object::SectionRef &S : (*ObjOrErr)->sections()) {
    Expected<StringRef> SName = S.getName();
    if (!SName)
      return makeError(Path,
                       "bad section name: " + toString(SName.takeError()));
    if (*SName != Name)
      continue;
    Expected<StringRef> Contents = S.getContents();
    if (!Contents)
      return makeError(Path + ":" + Name, "cannot read section: " +
                                              toString(Contents.takeError()));
    return std::optional<ArrayRef<uint8_t>>(arrayRefFromStringRef(*Contents));
  }
  return std::optional<ArrayRef<uint8_t>>();
}

BTFFile::~BTFFile() = default;

std::unique_ptr<BTF> BTFFile::takeBTF(std::unique_ptr<BTF> *Base) {
  // An embedded-tags view is split over a blob this object owns.
  if (FragmentTypes)
    return nullptr;
  if (Base)
    *Base = std::move(EmbeddedBase);
  return std::move(Main);
}

/// Maps \p FD when it is a regular file of \p Size bytes at least 1 MiB
/// (vmlinux); smaller ones (nearly every module) are read: unmapping costs a
/// TLB shootdown that outweighs copying a small file, and reading by hand
/// takes four system calls where MemoryBuffer::getFile makes seven
/// (parse-bench's ParseAllModules: 4.7x faster than mapping;
/// docs/Benchmarks.md). Files that report no size (procfs) or cannot be
/// mapped (sysfs) are read by MemoryBuffer's own fallback.
static ErrorOr<std::unique_ptr<MemoryBuffer>>
readRegularFile(int FD, StringRef Path, uint64_t Size, bool Populate) {
  if (Size && Size < (1u << 20)) {
    std::unique_ptr<WritableMemoryBuffer> Buf =
        WritableMemoryBuffer::getNewUninitMemBuffer(Size, Path);
    if (!Buf)
      return std::make_error_code(std::errc::not_enough_memory);
    MutableArrayRef<char> Left(Buf->getBufferStart(), Size);
    while (!Left.empty()) {
      Expected<size_t> N = sys::fs::readNativeFile(FD, Left);
      if (!N)
        return errorToErrorCode(N.takeError());
      if (*N == 0)
        break; // Shrank while being read: fall back below.
      Left = Left.drop_front(*N);
    }
    if (Left.empty())
      return std::unique_ptr<MemoryBuffer>(std::move(Buf));
    if (::lseek(FD, 0, SEEK_SET) != 0)
      return std::error_code(errno, std::generic_category());
  }
  auto Mapped = MemoryBuffer::getOpenFile(FD, Path, /*FileSize=*/-1,
                                          /*RequiresNullTerminator=*/false);
#if defined(__linux__)
  // Every byte of a mapped BTF is read (the structural checks, the
  // fingerprint): populating the page tables in one call (Linux >= 5.14;
  // older kernels refuse the advice, harmlessly) is cheaper than taking
  // one page fault per 64 KiB, which on virtual machines is most of the
  // cost of loading vmlinux (utils/bench/plugin-base-bench.cpp).
  if (Populate && Mapped &&
      (*Mapped)->getBufferKind() == MemoryBuffer::MemoryBuffer_MMap) {
    constexpr int PopulateRead = 22; // MADV_POPULATE_READ
    uintptr_t Page = uintptr_t(::sysconf(_SC_PAGESIZE));
    uintptr_t Begin = uintptr_t((*Mapped)->getBufferStart()) & ~(Page - 1);
    uintptr_t End = uintptr_t((*Mapped)->getBufferEnd());
    (void)::madvise(reinterpret_cast<void *>(Begin), End - Begin, PopulateRead);
  }
#endif
  return Mapped;
}

/// Reads a pipe, FIFO or device to its end, at most MaxStreamInputSize
/// bytes: such an input has no size to check beforehand, and /dev/zero or
/// /dev/urandom have no end.
static Expected<std::unique_ptr<MemoryBuffer>>
readStream(int FD, StringRef Path, StringRef What) {
  SmallVector<char, 0> Bytes;
  constexpr size_t Chunk = 1 << 16;
  for (;;) {
    if (Bytes.size() > MaxStreamInputSize)
      return makeError(Path,
                       What + " of more than " +
                           Twine(MaxStreamInputSize >> 20) +
                           " MiB, the most btfkit reads from an input that "
                           "is not a regular file: save it to a file first",
                       ErrorKind::IO);
    size_t Old = Bytes.size();
    Bytes.resize_for_overwrite(Old + Chunk);
    Expected<size_t> N = sys::fs::readNativeFile(
        FD, MutableArrayRef<char>(Bytes.data() + Old, Chunk));
    if (!N)
      return makeError(Path, "cannot read: " + toString(N.takeError()),
                       ErrorKind::IO);
    Bytes.truncate(Old + *N);
    if (*N == 0)
      break;
  }
  if (Bytes.empty())
    return makeError(Path,
                     What == "a FIFO"
                         ? "a FIFO with nothing to read (no writer, or the "
                           "writer wrote nothing)"
                         : What + " with nothing to read",
                     ErrorKind::IO);
  return std::unique_ptr<MemoryBuffer>(MemoryBuffer::getMemBufferCopy(
      StringRef(Bytes.data(), Bytes.size()), Path));
}

/// What a non-regular file is, for messages.
static StringRef describeFileType(sys::fs::file_type T) {
  switch (T) {
  case sys::fs::file_type::fifo_file:
    return "a FIFO";
  case sys::fs::file_type::character_file:
    return "a character device";
  case sys::fs::file_type::block_file:
    return "a block device";
  case sys::fs::file_type::socket_file:
    return "a socket";
  default:
    return "a special file";
  }
}

Expected<std::shared_ptr<const MemoryBuffer>> btfkit::mapFile(StringRef Path,
                                                              bool Populate) {
  // O_NONBLOCK: opening a FIFO without a writer would block until one
  // comes. Reading it afterwards is blocking again, and returns end of file
  // at once when there is no writer (POSIX read() on an empty pipe).
  SmallString<256> PathZ(Path);
  // "-" is the standard input, as for most command-line tools.
  bool Stdin = Path == "-";
  if (Stdin)
    Path = "<stdin>";
  int FD = Stdin ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                 : ::open(PathZ.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (FD < 0)
    return makeError(Path, "cannot open: " + errnoMessage(errno),
                     ErrorKind::IO);
  FileDescriptor Closer(FD);
  struct stat St;
  if (::fstat(FD, &St) != 0)
    return makeError(Path, "cannot stat: " + errnoMessage(errno),
                     ErrorKind::IO);
  if (S_ISDIR(St.st_mode))
    return makeError(Path, "is a directory, not a file", ErrorKind::IO);
  int Flags = ::fcntl(FD, F_GETFL);
  if (Flags < 0 ||
      ((Flags & O_NONBLOCK) && ::fcntl(FD, F_SETFL, Flags & ~O_NONBLOCK) != 0))
    return makeError(Path, "cannot read: " + errnoMessage(errno),
                     ErrorKind::IO);
  if (!S_ISREG(St.st_mode)) {
    sys::fs::file_status Status;
    if (std::error_code EC = sys::fs::status(FD, Status))
      return makeError(Path, "cannot stat: " + EC.message(), ErrorKind::IO);
    auto Buf = readStream(FD, Path, describeFileType(Status.type()));
    if (!Buf)
      return Buf.takeError();
    return std::shared_ptr<const MemoryBuffer>(std::move(*Buf));
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> BufOrErr =
      readRegularFile(FD, Path, uint64_t(St.st_size), Populate);
  if (!BufOrErr)
    return makeError(Path, "cannot read: " + BufOrErr.getError().message(),
                     ErrorKind::IO);
  return std::shared_ptr<const MemoryBuffer>(std::move(*BufOrErr));
}

namespace {
/// Another buffer's bytes under another name.
class RenamedBuffer : public MemoryBuffer {
public:
  RenamedBuffer(std::shared_ptr<const MemoryBuffer> Owner, StringRef Name)
      : Owner(std::move(Owner)), Name(Name.str()) {
    init(this->Owner->getBufferStart(), this->Owner->getBufferEnd(),
         /*RequiresNullTerminator=*/false);
  }
  StringRef getBufferIdentifier() const override { return Name; }
  BufferKind getBufferKind() const override { return Owner->getBufferKind(); }

private:
  std::shared_ptr<const MemoryBuffer> Owner;
  std::string Name;
};
} // namespace

std::shared_ptr<const MemoryBuffer>
btfkit::renameBuffer(std::shared_ptr<const MemoryBuffer> Contents,
                     StringRef Name) {
  return std::make_shared<RenamedBuffer>(std::move(Contents), Name);
}

Expected<FileContents> btfkit::inspectFile(const MemoryBuffer &Contents) {
  StringRef Path = Contents.getBufferIdentifier();
  ArrayRef<uint8_t> Data = arrayRefFromStringRef(Contents.getBuffer());
  FileContents C;
  if (looksLikeRawBTF(Data))
    return C;
  if (!looksLikeELF(Data))
    return makeError(Path,
                     Data.empty() ? "empty file, neither BTF nor ELF"
                                  : "neither raw BTF (magic 0xeb9f) nor an "
                                    "ELF file",
                     ErrorKind::NotBTF);
  C.Format = BTFFile::ELF;
  for (auto [Name, Has] :
       {std::pair<const char *, bool *>{BTFSectionName, &C.HasBTF},
        {BTFBaseSectionName, &C.HasBaseSection}}) {
    auto Sec = findELFSection(Path, Data, Name);
    if (!Sec)
      return Sec.takeError();
    *Has = Sec->has_value();
  }
  if (C.HasBTF)
    return C;
  auto Frag = findELFSection(Path, Data, FragmentSectionName);
  if (!Frag)
    return Frag.takeError();
  if (!*Frag)
    return C;
  auto Views = parseFragments(**Frag, (Path + ":" + FragmentSectionName).str());
  if (!Views)
    return Views.takeError();
  C.NumFragments = Views->size();
  for (const FragmentView &V : *Views)
    C.NumFragmentsWithBase += !V.DistilledBase.empty();
  return C;
}

/// A section that holds more blobs after the first (an `ld -r` of objects
/// compiled with gcc -gbtf) is refused: reading the first alone would show
/// one object's types as if they were the file's.
static Error refuseConcatenatedBlobs(ArrayRef<uint8_t> Sec, const Header &H,
                                     StringRef Label) {
  uint64_t End =
      std::max(uint64_t(H.TypeOff) + H.TypeLen, uint64_t(H.StrOff) + H.StrLen);
  if (H.HdrLen >= LayoutHeaderSize)
    End = std::max(End, uint64_t(H.LayoutOff) + H.LayoutLen);
  End += H.HdrLen;
  while (End < Sec.size() && End % 8 && Sec[End] == 0)
    ++End;
  if (!looksLikeRawBTF(Sec.drop_front(std::min<uint64_t>(End, Sec.size()))))
    return Error::success();
  auto Blobs = splitBTFBlobs(Sec, Label);
  if (!Blobs)
    return Blobs.takeError();
  return makeError(Label,
                   "holds " + Twine(Blobs->size()) +
                       " concatenated BTF blobs (a relocatable link of "
                       "objects compiled with gcc -gbtf), not one module's "
                       "BTF: btf-link merges them into one",
                   ErrorKind::Malformed);
}

Expected<BTFFile> BTFFile::load(StringRef Path, const LoadOptions &Opts) {
  auto Buf = mapFile(Path, /*Populate=*/true);
  if (!Buf)
    return Buf.takeError();
  return load(std::move(*Buf), Opts);
}

Expected<BTFFile> BTFFile::load(std::shared_ptr<const MemoryBuffer> Buf,
                                const LoadOptions &Opts) {
  StringRef Path = Buf->getBufferIdentifier();
  ArrayRef<uint8_t> Data = arrayRefFromStringRef(Buf->getBuffer());

  BTFFile F;
  F.Path = Path.str();
  if (looksLikeRawBTF(Data)) {
    F.Format = Raw;
    if (Opts.Section != BTFSectionName)
      return makeError(Path, "is raw BTF, it has no section " + Opts.Section,
                       ErrorKind::NoSection);
    auto BOrErr = BTF::parse(Data, Opts.Base, F.Path, Buf);
    if (!BOrErr)
      return BOrErr.takeError();
    F.Main = std::move(*BOrErr);
    return F;
  }
  if (!looksLikeELF(Data)) {
    if (Data.empty())
      return makeError(Path, "empty file, neither BTF nor ELF",
                       ErrorKind::NotBTF);
    return makeError(Path, "neither raw BTF (magic 0xeb9f) nor an ELF file",
                     ErrorKind::NotBTF);
  }

  F.Format = ELF;
  // An object compiled with the btfkit plugin and not linked yet: its
  // fragment stands in for the .BTF (+ .BTF.base) it will have once linked
  // (Fragment.h); ".BTF.base" and ".BTF.btfkit:<role>" name its blobs.
  {
    auto Btf = findELFSection(Path, Data, BTFSectionName);
    if (!Btf)
      return Btf.takeError();
    if (!*Btf) {
      auto Frag = findELFSection(Path, Data, FragmentSectionName);
      if (!Frag)
        return Frag.takeError();
      if (*Frag) {
        if (Error E = F.loadFragment(**Frag, Opts, Buf))
          return E;
        return F;
      }
    }
  }
  auto BaseSec = findELFSection(Path, Data, BTFBaseSectionName);
  if (!BaseSec)
    return BaseSec.takeError();
  F.HasBaseSection = BaseSec->has_value();
  std::string SecLabel = (Path + ":" + Opts.Section).str();
  if (Opts.Section == BTFBaseSectionName) {
    if (!*BaseSec)
      return makeError(Path, "no .BTF.base section", ErrorKind::NoSection);
    auto BOrErr = BTF::parse(**BaseSec, nullptr, SecLabel, Buf);
    if (!BOrErr)
      return BOrErr.takeError();
    F.Main = std::move(*BOrErr);
    return F;
  }

  auto Sec = findELFSection(Path, Data, Opts.Section);
  if (!Sec)
    return Sec.takeError();
  if (!*Sec)
    return makeError(Path, "no " + Opts.Section + " section",
                     ErrorKind::NoSection);
  const BTF *Base = Opts.Base;
  if (!Base && Opts.UseEmbeddedBase && *BaseSec) {
    auto BOrErr = BTF::parse(**BaseSec, nullptr,
                             (Path + ":" + BTFBaseSectionName).str(), Buf);
    if (!BOrErr)
      return BOrErr.takeError();
    F.EmbeddedBase = std::move(*BOrErr);
    Base = F.EmbeddedBase.get();
  }
  auto BOrErr = BTF::parse(**Sec, Base, SecLabel, Buf);
  if (!BOrErr)
    return BOrErr.takeError();
  if (Error E = refuseConcatenatedBlobs(**Sec, (*BOrErr)->header(), SecLabel))
    return std::move(E);
  F.Main = std::move(*BOrErr);
  return F;
}

Error BTFFile::loadFragment(ArrayRef<uint8_t> Section, const LoadOptions &Opts,
                            std::shared_ptr<const void> KeepAlive) {
  std::string Label = Path + ":" + FragmentSectionName;
  StringRef Sec = Opts.Section;
  if (Sec == BTFSectionName || Sec == FragmentTypesView) {
    auto BOrErr =
        loadFragmentTypes(Section, Label, Opts.Base, Opts.UseEmbeddedBase,
                          EmbeddedBase, std::move(KeepAlive));
    if (!BOrErr)
      return BOrErr.takeError();
    HasBaseSection = EmbeddedBase != nullptr;
    Main = std::move(*BOrErr);
    return Error::success();
  }
  bool WantBase = Sec == BTFBaseSectionName || Sec == FragmentDistilledBaseView;
  bool WantTags = Sec == FragmentEmbeddedTagsView;
  if (!WantBase && !WantTags)
    return makeError(Path, "is an object with a btfkit fragment; it has no "
                           "section " +
                               Sec + " (views: .BTF, .BTF.base, " +
                               FragmentTypesView + ", " +
                               FragmentDistilledBaseView + ", " +
                               FragmentEmbeddedTagsView + ")");
  auto Frag = parseSingleFragment(Section, Label);
  if (!Frag)
    return Frag.takeError();
  const FragmentView &V = *Frag;
  if (V.DistilledBase.empty())
    return makeError(Label, "the fragment has no distilled base (compiled "
                            "without a base BTF)");
  auto DB = BTF::parse(V.DistilledBase, nullptr, Label + "[distilled-base]",
                       KeepAlive);
  if (!DB)
    return DB.takeError();
  HasBaseSection = true;
  if (WantBase) {
    Main = std::move(*DB);
    return Error::success();
  }
  if (V.EmbeddedTags.empty())
    return makeError(Label, "the fragment has no embedded-tags blob");
  EmbeddedBase = std::move(*DB);
  auto Types =
      BTF::parse(V.Types, EmbeddedBase.get(), Label + "[types]", KeepAlive);
  if (!Types)
    return Types.takeError();
  FragmentTypes = std::move(*Types);
  auto Tags = BTF::parse(V.EmbeddedTags, FragmentTypes.get(),
                         Label + "[embedded-tags]", KeepAlive);
  if (!Tags)
    return Tags.takeError();
  Main = std::move(*Tags);
  return Error::success();
}

Expected<std::unique_ptr<BTF>> btfkit::loadBaseBTF(StringRef Path) {
  LoadOptions Opts;
  Opts.UseEmbeddedBase = false;
  auto F = BTFFile::load(Path, Opts);
  if (!F)
    return F.takeError();
  return F->takeBTF();
}

std::string btfkit::moduleKernelName(StringRef Path, ArrayRef<uint8_t> Image) {
  if (looksLikeELF(Image)) {
    auto Info = findELFSection(Path, Image, ".modinfo");
    if (!Info)
      consumeError(Info.takeError());
    else if (*Info) {
      // NUL-separated "key=value" entries; modpost adds "name=".
      StringRef Rest = toStringRef(**Info);
      while (!Rest.empty()) {
        auto [Entry, Tail] = Rest.split('\0');
        if (Entry.consume_front("name=") && !Entry.empty())
          return Entry.str();
        Rest = Tail;
      }
    }
  }
  std::string Name = sys::path::filename(Path).split('.').first.str();
  std::replace(Name.begin(), Name.end(), '-', '_');
  return Name;
}
