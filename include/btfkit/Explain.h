//===- btfkit/Explain.h - Relocation verdicts users can act on --*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Renders what relocate() and validate() found about one module on one
/// kernel as text or JSON: whether the kernel will load the module's BTF,
/// and if not, every reason, the one the kernel itself logs, and its log
/// line. The wording is documented in docs/Relocation.md.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_EXPLAIN_H
#define BTFKIT_EXPLAIN_H

#include "btfkit/Verdict.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace btfkit {

/// One sentence on why \p F failed, naming \p Target's types.
std::string explainFailure(const RelocFailure &F, llvm::StringRef Target);

/// The line the kernel logs for \p F (libbpf/kernel btf_relocate.c wording).
std::string kernelMessage(const RelocFailure &F);

/// "[5] STRUCT 'spinlock' size=4: " and explainFailure(): one line per
/// failure of the text verdict.
std::string failureLine(const RelocFailure &F, llvm::StringRef Target);

/// "<the validator's message> (-22)": one line per issue of a refusal.
std::string explainRefusal(const ValidationIssue &I);

/// What the kernel logs when it does not take \p V's BTF: the relocation
/// failure it reports, or "failed to validate module BTF: <errno>"; empty
/// when it loads.
std::string kernelLogLine(const ModuleVerdict &V);

/// "MODULE: loads on TARGET" or the failure with an indented line per
/// reason. With \p Brief, one line per module.
void printVerdictText(const ModuleVerdict &V, llvm::raw_ostream &OS,
                      bool Brief = false);

/// The verdict as one JSON object (see docs/Relocation.md, field by
/// field), with a "kernel" field when \p KernelName is given (the
/// target's name in a matrix: kernelNames()).
void printVerdictJSON(const ModuleVerdict &V, llvm::json::OStream &J,
                      llvm::StringRef KernelName = "");

/// \p S as a JSON string may hold it: names and paths are bytes, and
/// bytes that are not UTF-8 are replaced (U+FFFD), as llvm::json does in
/// release builds, where its assertion would stop a debug build.
std::string jsonText(llvm::StringRef S);

/// A short cell for a module x kernel matrix: "yes", or "no: <why>".
std::string verdictCell(const ModuleVerdict &V);

} // namespace btfkit

#endif // BTFKIT_EXPLAIN_H
