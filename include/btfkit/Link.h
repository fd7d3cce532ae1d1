//===- btfkit/Link.h - The link step: merge and check a module's BTF -*- C++
//-*-//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The link step turns the per-object fragments (.BTF.btfkit, Fragment.h)
/// of a linked or partially linked ELF file (a kernel module is an `ld -r`
/// output) into the module's final BTF: a standard .BTF split over a
/// .BTF.base distilled base, the layout pahole's
/// --btf_features=distilled_base writes. Then it checks the result: the
/// kernel's module-load rules, relocation onto the base the objects were
/// built against, and relocation onto every other kernel the user names.
///
///   merge   read every fragment; refuse fragments of different bases or of
///           an incompatible producer; map every fragment's types onto one
///           base (the original base when given, else the union of the
///           distilled bases); rebuild the DATASECs from the linked file's
///           symbol table; deduplicate across objects; distill.
///   check   validate (module-load rules), relocate onto the original base
///           (a failure there is a btfkit bug), relocate onto each
///           --check-against kernel and explain what fails.
///   write   replace .BTF/.BTF.base and remove .BTF.btfkit, atomically.
///
/// docs/LinkStep.md describes the front ends (btf-link, ld.lld-btf,
/// btf-pahole) and the Kbuild recipes.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LINK_H
#define BTFKIT_LINK_H

#include "btfkit/BTF.h"
#include "btfkit/Explain.h"
#include "btfkit/Fragment.h"
#include "btfkit/IndexedBase.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/Relocate.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

/// The producer string this library writes into fragments and accepts:
/// "btfkit <version>".
std::string linkProducer();

/// True when fragments written by \p Producer can be merged by this
/// library: "btfkit X.Y.Z" with the same major version (the same minor too
/// while the major is 0).
bool isCompatibleProducer(llvm::StringRef Producer);

/// Whether the BTF GCC's -gbtf wrote into the objects (a linked file's
/// .BTF of concatenated blobs, no .BTF.base) is merged: Auto when the file
/// has neither fragments nor DWARF, Always in place of the DWARF route,
/// Never.
enum class GccBTFMode { Auto, Always, Never };

struct LinkOptions {
  /// The base the objects were compiled against (raw BTF, vmlinux ELF,
  /// /sys/kernel/btf/vmlinux); a file that is not a kernel's BTF is an
  /// error (KernelBase.h). With it the result is exactly the distilled form
  /// of the merged module over it, and relocation onto it is checked.
  /// Without it the distilled bases of the fragments are merged; objects
  /// that carry no base of their own are linked over Kbuild's
  /// $(objtree)/vmlinux when it exists (kbuildVmlinux()), else refused
  /// (unless NoBase).
  std::string BasePath;
  /// Kernels to check the result against (each a BTF file as above).
  std::vector<std::string> CheckAgainst;
  /// The release whose rules the checks use (KernelVersion.h), for the base
  /// and every CheckAgainst kernel. Unset: each kernel's default
  /// (KernelVersion::forTarget: the running kernel's for its
  /// /sys/kernel/btf files, else the newest rules).
  std::optional<KernelVersion> Kernel;
  /// Failed checks (module-load rules, a kernel of CheckAgainst that would
  /// refuse the module, objects without a fragment) fail the link.
  bool FatalWarnings = false;
  /// Encode the compile units without a fragment (objects built without
  /// the plugin, assembly with -g) from the linked file's DWARF, as pahole
  /// 1.24 would, and merge them with the fragments.
  bool DwarfFallback = false;
  /// With DwarfFallback: one line to the output names the units encoded
  /// from DWARF (the front ends that take that route by default say so).
  bool AnnounceDwarfUnits = false;
  /// Do not warn about compile units without a fragment.
  bool NoMissingWarning = false;
  /// Whether objects compiled with gcc -gbtf give their own BTF
  /// (docs/LinkStep.md, "GCC's -gbtf objects").
  GccBTFMode GccBTF = GccBTFMode::Auto;
  /// Print verdicts for the CheckAgainst kernels even when they load.
  bool Verbose = false;
  /// The base index cache directory (IndexedBase.h): unset for the default
  /// ($BTFKIT_CACHE_DIR, else ~/.cache/btfkit), "" or "off" for none.
  std::optional<std::string> CacheDir;
  /// The output's file mode; by default the linked file's.
  std::optional<unsigned> OutputMode;
  /// Link without any base (btf-link --no-base): objects that carry none
  /// give standalone BTF, as for objects that are not kernel modules;
  /// otherwise such objects are refused without a base (checkBaseGiven).
  bool NoBase = false;
  /// How the tool's users name the base, for messages ("--base",
  /// "--btf_base", "--btf-base").
  std::string BaseOption = "--base";
};

/// Kbuild's $(objtree)/vmlinux, from the abs_objtree Kbuild exports to the
/// commands of a build; std::nullopt outside a Kbuild build. The link step
/// takes it as the base of objects that carry none when no base is named
/// and it exists.
std::optional<std::string> kbuildVmlinux();

/// What a link found, besides the output.
struct LinkReport {
  /// Warnings, in the order found, each a full sentence naming the file.
  std::vector<std::string> Warnings;
  /// Compile units of the linked file that have no fragment.
  std::vector<std::string> MissingUnits;
  /// With DwarfFallback: the units of MissingUnits encoded from DWARF (all
  /// of them), and the FUNCs and VARs that gave.
  std::vector<std::string> DwarfUnits;
  unsigned NumDwarfFuncs = 0;
  unsigned NumDwarfVars = 0;
  /// The byte offsets in .BTF of the gcc -gbtf blobs merged (none when
  /// that route was not taken), and the FUNCs and VARs they gave.
  std::vector<uint64_t> GccBlobs;
  unsigned NumGccFuncs = 0;
  unsigned NumGccVars = 0;
  /// Number of fragments merged.
  unsigned NumFragments = 0;
  /// Types of the final .BTF.base and .BTF.
  uint32_t NumBaseTypes = 0;
  uint32_t NumSplitTypes = 0;
  /// Checks that failed (each also a warning).
  unsigned FailedChecks = 0;
  /// True when the file was written.
  bool Written = false;
};

/// The merged BTF of one linked file.
struct MergedModuleBTF {
  std::unique_ptr<BTF> DistilledBase;
  std::unique_ptr<BTF> Split; ///< over *DistilledBase
};

/// One linked ELF image, read for the link step.
struct LinkInput {
  std::string Path;
  llvm::ArrayRef<uint8_t> Image;
};

/// Merges the fragments of \p In. \p Base is the original base (or null).
/// Warnings go to \p Report. Errors name the file, the section and the
/// source or offset of the fragment at fault. With \p DwarfFallback the
/// compile units without a fragment are encoded from DWARF and merged too
/// (a file without any fragment is then accepted). \p Gcc says when the
/// gcc -gbtf blobs of its .BTF are merged instead (GccBTFMode).
llvm::Expected<MergedModuleBTF>
mergeFragments(const LinkInput &In, const IndexedBase *Base, LinkReport &Report,
               bool DwarfFallback = false, GccBTFMode Gcc = GccBTFMode::Never);

/// Checks \p M (see the file comment); prints the verdicts of the
/// CheckAgainst kernels to \p OS. Failed checks are counted and reported as
/// warnings; an Error means a kernel file could not be read, or the module
/// does not relocate onto its own base (a btfkit bug).
llvm::Error checkMergedBTF(const MergedModuleBTF &M, llvm::StringRef Module,
                           const IndexedBase *Base, const LinkOptions &Opts,
                           LinkReport &Report, llvm::raw_ostream &OS);

/// The linker's output \p Path, read once (mapFile) for every step below:
/// an error unless it is an ELF file.
llvm::Expected<std::shared_ptr<const llvm::MemoryBuffer>>
readLinkedFile(llvm::StringRef Path);

/// The whole link step on \p Linked (readLinkedFile), written to
/// \p OutPath (may be the file it was read from; replaced atomically). On
/// error nothing is written; with FatalWarnings and any warning nothing is
/// written either, and the report says so (Written false).
llvm::Expected<LinkReport>
linkModuleBTF(std::shared_ptr<const llvm::MemoryBuffer> Linked,
              llvm::StringRef OutPath, const LinkOptions &Opts,
              llvm::raw_ostream &OS);

/// The link step as Linux 7.x's scripts/gen-btf.sh runs pahole
/// (--btf_encode_detached=X.BTF.1): the merged and checked BTF of
/// \p Linked, relocated onto Opts.BasePath (required) as classic split BTF,
/// written raw to \p DetachedPath for resolve_btfids to distill and sort.
/// The linked file is left as it is, except that a module ld.lld-btf
/// merged (.BTF and .BTF.base, no fragments) gives its BTF the same way and
/// loses those sections, which gen-btf.sh adds again. Otherwise as
/// linkModuleBTF().
llvm::Expected<LinkReport>
linkModuleDetachedBTF(std::shared_ptr<const llvm::MemoryBuffer> Linked,
                      llvm::StringRef DetachedPath, const LinkOptions &Opts,
                      llvm::raw_ostream &OS);

/// True when the ELF file \p Linked has a .BTF.btfkit section (errors name
/// the file).
llvm::Expected<bool> hasFragments(const llvm::MemoryBuffer &Linked);

/// The one-line summary of a link: fragments merged, types in .BTF.base and
/// .BTF, and the units encoded from DWARF.
void printLinkSummary(llvm::StringRef Output, const LinkReport &R,
                      llvm::raw_ostream &OS);

/// How every front end ends a link step that ran: \p R's warnings to
/// \p ErrOS (as errors when Opts.FatalWarnings), the summary to \p OS with
/// Opts.Verbose. Returns the exit status: 0 when the output was written, 1
/// when warnings were fatal (\p FatalSetting names what made them so, e.g.
/// "--fatal-warnings") and nothing was written.
int finishLinkStep(llvm::StringRef Tool, llvm::StringRef Output,
                   const LinkReport &R, const LinkOptions &Opts,
                   llvm::StringRef FatalSetting, llvm::raw_ostream &OS,
                   llvm::raw_ostream &ErrOS);

} // namespace btfkit

#endif // BTFKIT_LINK_H
