//===- btfkit/CompatReport.h - Every module on every kernel -----*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The compatibility report (`btf-relocate --report=DIR`): which modules'
/// BTF loads on which kernels, and why not, for a distribution's modules
/// and kernel builds at once. Each kernel is read and indexed once, each
/// module read, decompressed and judged once (ModuleInput.h, Verdict.h),
/// on all cores; the verdicts are the ones btf-relocate gives pair by pair.
/// The report is report.json (docs/CompatReport.md, field by field) and
/// index.html, a page that needs nothing but itself.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_COMPATREPORT_H
#define BTFKIT_COMPATREPORT_H

#include "btfkit/KernelImage.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/ModuleInput.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

struct CompatReportOptions {
  /// Module files and folders (findModuleFiles()).
  std::vector<std::string> Modules;
  /// Kernel files (loadKernelBTF()), in report order.
  std::vector<std::string> Kernels;
  /// The kernel classic modules were built against (ModuleInputOptions);
  /// empty: classic modules are judged as classic.
  std::string BuiltAgainst;
  /// The distilled base raw split modules are split over; empty: none.
  std::string DistilledBase;
  /// Worker threads; 0 uses every core.
  unsigned Threads = 0;
  /// The release whose rules judge every kernel (KernelVersion.h); unset:
  /// each kernel's own (KernelVersion::forTarget() of its file and
  /// release).
  std::optional<KernelVersion> Kernel;
};

/// One reason kernels refuse (or garble) modules, with the modules it
/// breaks on one kernel.
struct CompatCause {
  /// What a person reads: "struct spinlock 4 vs 32 bytes", "no struct
  /// gpio_chip", "invalid BTF: <rule>".
  std::string Summary;
  /// "size-mismatch", "no-such-name", ... (RelocFailureKind), "invalid"
  /// (the kernel's checks refuse the BTF), "as-built" (the kernel it was
  /// built for refuses its classic BTF), "garbled".
  std::string Reason;
  /// The distilled type (relocation causes): kind, name, size (not for
  /// FWD), and the sizes the kernel's types of that name have.
  std::string Kind, Name;
  std::optional<uint32_t> Size;
  std::vector<uint32_t> KernelSizes;
  /// The modules it breaks (indexes into CompatReport::Modules), ascending,
  /// and how many of them it alone breaks.
  std::vector<uint32_t> Modules;
  uint32_t Sole = 0;
};

/// One module's verdict on one kernel.
struct CompatPair {
  VerdictClass Class = VerdictClass::Loads;
  /// Indexes into the kernel's causes (in the order the verdict lists
  /// them), the kernel's log line, and one sentence per reason.
  std::vector<uint32_t> Causes;
  std::string KernelMessage;
  std::vector<std::string> Explanations;
};

struct CompatModule {
  std::string Path;
  std::string Name; ///< moduleNameOf(Path)
  ModuleForm Form = ModuleForm::Resilient;
  /// Not judged: why (bad input); Pairs is empty then.
  std::string Error;
  /// One per kernel, in CompatReport::Kernels order.
  std::vector<CompatPair> Pairs;
};

struct CompatKernel {
  std::string Path;
  /// Unique among the report's kernels: the release, else the shortest
  /// path suffix that tells it apart.
  std::string Name;
  std::string Release, Version, Origin;
  uint32_t Types = 0;
  uint32_t Loads = 0, Refused = 0, Garbled = 0;
  /// Ranked: most modules first, then by summary.
  std::vector<CompatCause> Causes;
};

struct CompatReport {
  std::vector<CompatKernel> Kernels;
  std::vector<CompatModule> Modules;
  /// The built-against kernel (name as in the report; empty: none).
  std::string BuiltAgainstPath, BuiltAgainstName;
  /// Modules judged, and not (bad input).
  uint32_t Judged = 0, Unjudged = 0;
  /// Whether every judged module loads on every kernel.
  bool allLoad() const;
};

/// Builds the report. Errors are about the kernels, the built-against
/// kernel or the distilled base (nothing to report without them); a module
/// that cannot be read is reported in the report, unjudged.
llvm::Expected<CompatReport> buildCompatReport(const CompatReportOptions &Opts);

/// report.json (docs/CompatReport.md).
void printCompatReportJSON(const CompatReport &R, llvm::raw_ostream &OS);
/// index.html: self-contained, readable without scripts or network.
void printCompatReportHTML(const CompatReport &R, llvm::raw_ostream &OS);

/// Writes DIR/report.json and DIR/index.html, both or neither, creating
/// DIR.
llvm::Error writeCompatReport(const CompatReport &R, llvm::StringRef Dir);

/// The kernels \p Ks named as users know them, one unique name each, in
/// order: the release when the file tells it and no other kernel of \p Ks
/// has it, else "RELEASE (PATH-TAIL)" or "PATH-TAIL", the shortest tail of
/// the path no other kernel's path shares ("a/vmlinux", "b/vmlinux"); the
/// same file twice gets " #2". Matrix columns and report.json use them.
std::vector<std::string> kernelNames(llvm::ArrayRef<const KernelBTF *> Ks);

/// The version of report.json's layout (its "version" field).
constexpr unsigned CompatReportVersion = 1;

} // namespace btfkit

#endif // BTFKIT_COMPATREPORT_H
