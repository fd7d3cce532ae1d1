//===- CompatReportHTML.cpp - index.html ----------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One file that needs nothing else: styles and a small filter script inline,
// no fonts, images or requests (its Content-Security-Policy forbids any),
// readable with scripts off. From the top: the kernels with their counts,
// each kernel's causes ranked by the modules they break, then every module
// as a row of verdicts that opens onto the explanations.
//
//===----------------------------------------------------------------------===//

#include "btfkit/CompatReport.h"
#include "btfkit/Config.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

using namespace btfkit;
using namespace llvm;

namespace {

/// Text made safe for HTML content and attribute values (always quoted
/// with '"').
struct Esc {
  StringRef S;
};
raw_ostream &operator<<(raw_ostream &OS, Esc E) {
  for (char C : E.S) {
    switch (C) {
    case '&':
      OS << "&amp;";
      break;
    case '<':
      OS << "&lt;";
      break;
    case '>':
      OS << "&gt;";
      break;
    case '"':
      OS << "&quot;";
      break;
    default:
      OS << C;
    }
  }
  return OS;
}

/// 4230 as "4,230".
std::string num(uint64_t N) {
  std::string S = utostr(N);
  for (int I = int(S.size()) - 3; I > 0; I -= 3)
    S.insert(size_t(I), ",");
  return S;
}

std::string plural(uint64_t N, StringRef One, StringRef Many) {
  return num(N) + " " + (N == 1 ? One : Many).str();
}

/// How wide a bar \p N of \p Of is, in percent.
std::string percent(uint64_t N, uint64_t Of) {
  std::string S;
  raw_string_ostream(S) << format("%.2f", Of ? 100.0 * N / Of : 0.0);
  return S;
}

const char *Style = R"css(
:root { --ok: #1a7f37; --ok-bg: #dafbe1; --no: #b42318; --no-bg: #fee4e2;
  --gb: #9a6700; --gb-bg: #fff1c2; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  margin: 0 auto; max-width: 1280px; padding: 1.5em; color: #1f2328; }
h1 { font-size: 1.6em; margin: 0 0 .2em; }
h2 { font-size: 1.25em; margin: 1.6em 0 .5em; border-bottom: 1px solid var(--line); }
.sub, .small { color: var(--muted); }
.small { font-size: .85em; }
code { font: .95em ui-monospace, "DejaVu Sans Mono", monospace; }
table.kernels { border-collapse: collapse; width: 100%; }
.kernels th, .kernels td { border-bottom: 1px solid var(--line); padding: .45em .6em;
  text-align: left; vertical-align: top; }
.kernels td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bar { display: flex; height: .7em; border-radius: 3px; overflow: hidden;
  background: var(--line); min-width: 8em; margin-top: .3em; }
.bar .ok { background: var(--ok); } .bar .no { background: var(--no); }
.bar .gb { background: var(--gb); }
.loads { color: var(--ok); } .refused { color: var(--no); } .garbled { color: var(--gb); }
ol.causes { padding-left: 2em; } ol.causes li { margin: .25em 0; }
ol.causes details { display: inline; } ol.causes summary { display: inline;
  cursor: pointer; color: var(--muted); }
.names { font-size: .85em; color: var(--muted); max-height: 12em; overflow: auto;
  border-left: 3px solid var(--line); padding-left: .6em; margin: .3em 0; }
.grid { display: grid; grid-template-columns: minmax(11em, 1.4fr) repeat(var(--k), minmax(6.5em, 1fr));
  gap: 0 .5em; align-items: start; padding: .2em .3em; border-bottom: 1px solid #eaeef2; }
.head { font-weight: 600; position: sticky; top: 0; background: #f6f8fa; z-index: 1;
  overflow-wrap: anywhere; border-bottom: 1px solid var(--line); }
.cell { font-size: .9em; overflow-wrap: anywhere; }
.cell.loads::before { content: "\2713  "; } .cell.refused::before { content: "\2717  "; }
.cell.garbled::before { content: "\26A0  "; }
.cell .why { display: block; color: var(--muted); font-size: .9em; }
.row { scroll-margin-top: 3.5em; }
details.mod > summary { list-style: none; cursor: pointer; }
details.mod > summary::-webkit-details-marker { display: none; }
details.mod > summary .name::before { content: "\25B8  "; color: var(--muted); }
details.mod[open] > summary .name::before { content: "\25BE  "; }
details.mod[open] > summary { background: #f6f8fa; }
.explain { padding: .3em 1em .8em 2em; font-size: .9em; }
.explain h4 { margin: .5em 0 .1em; font-size: 1em; }
.explain ul { margin: .1em 0; padding-left: 1.4em; }
.explain .log { color: var(--muted); }
.filter { margin: .5em 0 1em; display: flex; gap: 1em; align-items: center; flex-wrap: wrap; }
.filter input[type=search] { font: inherit; padding: .3em .5em; min-width: 22em; }
[hidden] { display: none !important; }
)css";

// Filters the module rows by text and by verdict; the page reads the same
// without it.
const char *Script = R"js(
(function () {
  var q = document.getElementById('q'), only = document.getElementById('only');
  var rows = document.querySelectorAll('#matrix > .row'), count = document.getElementById('shown');
  function apply() {
    var t = q.value.trim().toLowerCase(), n = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], show = (!only.checked || r.dataset.fails === '1') &&
        (!t || r.dataset.text.indexOf(t) >= 0);
      r.hidden = !show; n += show;
    }
    count.textContent = n.toLocaleString('en-US');
  }
  q.addEventListener('input', apply); only.addEventListener('change', apply);
  document.getElementById('tools').hidden = false;
})();
)js";

/// The short cause a cell shows: the first cause, and how many more.
std::string cellCause(const CompatPair &P, const CompatKernel &K) {
  if (P.Causes.empty())
    return "";
  std::string S = K.Causes[P.Causes.front()].Summary;
  if (P.Causes.size() > 1)
    S += " +" + utostr(P.Causes.size() - 1);
  return S;
}

void printCounts(const CompatKernel &K, uint64_t Judged, raw_ostream &OS) {
  OS << "<div class=\"bar\" title=\"" << num(K.Loads) << " load, "
     << num(K.Refused) << " refused, " << num(K.Garbled) << " garbled\">"
     << "<span class=\"ok\" style=\"width:" << percent(K.Loads, Judged)
     << "%\"></span><span class=\"no\" style=\"width:"
     << percent(K.Refused, Judged) << "%\"></span><span class=\"gb\" "
     << "style=\"width:" << percent(K.Garbled, Judged) << "%\"></span></div>";
}

void printKernelTable(const CompatReport &R, raw_ostream &OS) {
  OS << "<table class=\"kernels\" id=\"summary\"><thead><tr><th>kernel</th>"
        "<th>loads</th><th>refused</th><th>garbled</th><th>first cause</th>"
        "</tr></thead><tbody>\n";
  for (size_t I = 0; I < R.Kernels.size(); ++I) {
    const CompatKernel &K = R.Kernels[I];
    OS << "<tr><td><a href=\"#kernel-" << I << "\"><b>" << Esc{K.Name}
       << "</b></a><div class=\"small\">" << Esc{K.Origin} << ", "
       << num(K.Types) << " types</div></td>";
    OS << "<td class=\"n loads\">" << num(K.Loads) << "</td>"
       << "<td class=\"n refused\">" << num(K.Refused) << "</td>"
       << "<td class=\"n garbled\">" << num(K.Garbled) << "</td><td>";
    if (K.Causes.empty())
      OS << "<span class=\"small\">none</span>";
    else
      OS << "<code>" << Esc{K.Causes.front().Summary} << "</code>: "
         << plural(K.Causes.front().Modules.size(), "module", "modules");
    printCounts(K, R.Judged, OS);
    OS << "</td></tr>\n";
  }
  OS << "</tbody></table>\n";
}

/// Module names, comma separated, as the causes list them.
void printNames(const CompatReport &R, ArrayRef<uint32_t> Modules,
                raw_ostream &OS) {
  OS << "<div class=\"names\">";
  for (size_t I = 0; I < Modules.size(); ++I)
    OS << (I ? ", " : "") << "<a href=\"#m" << Modules[I] << "\">"
       << Esc{R.Modules[Modules[I]].Name} << "</a>";
  OS << "</div>";
}

void printCause(const CompatReport &R, const CompatKernel &K,
                const CompatCause &C, raw_ostream &OS) {
  OS << "<li><code>" << Esc{C.Summary} << "</code> on " << Esc{K.Name}
     << ": <b>" << plural(C.Modules.size(), "module", "modules") << "</b>";
  if (C.Sole)
    OS << " <span class=\"small\">(" << num(C.Sole) << " by this alone)</span>";
  OS << " <details><summary>which</summary>";
  printNames(R, C.Modules, OS);
  OS << "</details></li>\n";
}

constexpr size_t CausesShown = 25;

void printKernelSection(const CompatReport &R, size_t I, raw_ostream &OS) {
  const CompatKernel &K = R.Kernels[I];
  OS << "<section class=\"kernel\" id=\"kernel-" << I << "\"><h2>"
     << Esc{K.Name} << "</h2>\n<p><span class=\"loads\">" << num(K.Loads)
     << " load</span> · <span class=\"refused\">" << num(K.Refused)
     << " refused</span> · <span class=\"garbled\">" << num(K.Garbled)
     << " garbled</span> — of " << plural(R.Judged, "module", "modules")
     << ". <span class=\"small\">" << Esc{K.Path};
  if (!K.Version.empty())
    OS << ": " << Esc{K.Version};
  OS << "</span></p>\n";
  if (K.Causes.empty()) {
    OS << "<p>Every module's BTF loads.</p></section>\n";
    return;
  }
  OS << "<h3>Causes, by the modules they break</h3>\n<ol class=\"causes\">\n";
  for (size_t C = 0; C < K.Causes.size() && C < CausesShown; ++C)
    printCause(R, K, K.Causes[C], OS);
  OS << "</ol>\n";
  if (K.Causes.size() > CausesShown) {
    OS << "<details><summary>"
       << plural(K.Causes.size() - CausesShown, "more cause", "more causes")
       << "</summary><ol class=\"causes\" start=\"" << CausesShown + 1
       << "\">\n";
    for (size_t C = CausesShown; C < K.Causes.size(); ++C)
      printCause(R, K, K.Causes[C], OS);
    OS << "</ol></details>\n";
  }
  OS << "</section>\n";
}

/// The folder every module path starts with ("" when none), which the page
/// names once and leaves out of each path.
std::string commonFolder(const CompatReport &R) {
  std::optional<std::vector<StringRef>> Common;
  for (const CompatModule &M : R.Modules) {
    StringRef Dir = sys::path::parent_path(M.Path);
    std::vector<StringRef> Parts(sys::path::begin(Dir), sys::path::end(Dir));
    if (!Common) {
      Common = std::move(Parts);
      continue;
    }
    size_t N = 0;
    while (N < Common->size() && N < Parts.size() && (*Common)[N] == Parts[N])
      ++N;
    Common->resize(N);
  }
  SmallString<256> Folder;
  if (Common)
    for (StringRef P : *Common)
      sys::path::append(Folder, P);
  return std::string(Folder);
}

/// \p Path without the common folder.
StringRef shortPath(StringRef Path, StringRef Common) {
  if (!Common.empty() && Path.starts_with(Common) &&
      Path.size() > Common.size() && Path[Common.size()] == '/')
    return Path.drop_front(Common.size() + 1);
  return Path;
}

void printModuleRow(const CompatReport &R, uint32_t I, StringRef Common,
                    raw_ostream &OS) {
  const CompatModule &M = R.Modules[I];
  StringRef Path = shortPath(M.Path, Common);
  bool Fails = llvm::any_of(M.Pairs, [](const CompatPair &P) {
    return P.Class != VerdictClass::Loads;
  });
  // What the filter searches: the name, the path, the causes.
  std::string Text = M.Name + " " + Path.str();
  for (size_t K = 0; K < M.Pairs.size(); ++K)
    for (uint32_t C : M.Pairs[K].Causes)
      Text += " " + R.Kernels[K].Causes[C].Summary;
  OS << (Fails ? "<details class=\"mod row\"" : "<div class=\"row\"")
     << " id=\"m" << I << "\" data-fails=\"" << (Fails ? "1" : "0")
     << "\" data-text=\"" << Esc{StringRef(Text).lower()} << "\">";
  OS << (Fails ? "<summary class=\"grid\">" : "<div class=\"grid\">");
  OS << "<span class=\"name\" title=\"" << Esc{Path} << "\">" << Esc{M.Name}
     << "</span>";
  for (size_t K = 0; K < M.Pairs.size(); ++K) {
    const CompatPair &P = M.Pairs[K];
    OS << "<span class=\"cell " << verdictClassName(P.Class) << "\">"
       << verdictClassName(P.Class);
    if (P.Class != VerdictClass::Loads)
      OS << "<span class=\"why\">" << Esc{cellCause(P, R.Kernels[K])}
         << "</span>";
    OS << "</span>";
  }
  OS << (Fails ? "</summary>" : "</div>");
  if (!Fails) {
    OS << "</div>\n";
    return;
  }
  OS << "<div class=\"explain\"><div class=\"small\">" << Esc{Path} << " ("
     << moduleFormName(M.Form) << ")</div>";
  for (size_t K = 0; K < M.Pairs.size(); ++K) {
    const CompatPair &P = M.Pairs[K];
    if (P.Class == VerdictClass::Loads)
      continue;
    OS << "<h4>" << verdictClassName(P.Class) << " by "
       << Esc{R.Kernels[K].Name}
       << "</h4><div class=\"log\">the kernel logs: <code>"
       << Esc{P.KernelMessage} << "</code></div><ul>";
    for (const std::string &E : P.Explanations)
      OS << "<li>" << Esc{E} << "</li>";
    OS << "</ul>";
  }
  OS << "</div></details>\n";
}

void printModules(const CompatReport &R, raw_ostream &OS) {
  std::vector<uint32_t> Judged, Unjudged;
  for (uint32_t I = 0; I < R.Modules.size(); ++I)
    (R.Modules[I].Error.empty() ? Judged : Unjudged).push_back(I);
  // By name, for a person looking one up.
  llvm::stable_sort(Judged, [&](uint32_t A, uint32_t B) {
    return StringRef(R.Modules[A].Name).compare_insensitive(R.Modules[B].Name) <
           0;
  });
  std::string Common = commonFolder(R);
  OS << "<section id=\"modules\"><h2>Modules</h2>\n"
     << "<p>Each row is one module's verdict on each kernel; a row that "
        "some kernel refuses opens onto the reasons.";
  if (!Common.empty())
    OS << " Module paths are under <code>" << Esc{Common} << "</code>.";
  OS << "</p>\n"
     << "<div class=\"filter\" id=\"tools\" hidden><input type=\"search\" "
        "id=\"q\" placeholder=\"module or cause, e.g. spinlock\" "
        "aria-label=\"filter modules\"><label><input type=\"checkbox\" "
        "id=\"only\"> only modules some kernel refuses</label><span "
        "class=\"small\"><span id=\"shown\">"
     << num(Judged.size()) << "</span> shown</span></div>\n";
  OS << "<div id=\"matrix\" style=\"--k:" << R.Kernels.size() << "\">\n"
     << "<div class=\"grid head\"><span>module</span>";
  for (const CompatKernel &K : R.Kernels)
    OS << "<span>" << Esc{K.Name} << "</span>";
  OS << "</div>\n";
  for (uint32_t I : Judged)
    printModuleRow(R, I, Common, OS);
  OS << "</div></section>\n";
  if (Unjudged.empty())
    return;
  OS << "<section id=\"unjudged\"><h2>Not judged: "
     << plural(Unjudged.size(), "module", "modules")
     << "</h2>\n<p>Their files could not be read as modules with BTF.</p><ul>";
  for (uint32_t I : Unjudged)
    OS << "<li id=\"m" << I << "\"><code>" << Esc{R.Modules[I].Name}
       << "</code>: " << Esc{R.Modules[I].Error} << "</li>\n";
  OS << "</ul></section>\n";
}

} // namespace

void btfkit::printCompatReportHTML(const CompatReport &R, raw_ostream &OS) {
  std::string Title =
      "BTF compatibility: " + plural(R.Modules.size(), "module", "modules") +
      " on " + plural(R.Kernels.size(), "kernel", "kernels");
  OS << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
     << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
        "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n<meta name=\"generator\" content=\"btfkit "
     << BTFKIT_VERSION << "\">\n<title>" << Esc{Title} << "</title>\n<style>"
     << Style << "</style></head>\n<body>\n<header><h1>" << Esc{Title}
     << "</h1>\n<p class=\"sub\">Whether each kernel loads each module's BTF, "
        "as the kernel's module loader decides it";
  if (!R.BuiltAgainstName.empty())
    OS << "; classic modules (without <code>.BTF.base</code>) are judged as "
          "if shipped resilient: distilled over <b>"
       << Esc{R.BuiltAgainstName} << "</b>, the kernel they were built against";
  OS << ". " << plural(R.Judged, "module", "modules") << " judged";
  if (R.Unjudged)
    OS << ", <a href=\"#unjudged\">" << num(R.Unjudged) << " not</a>";
  OS << ". Every verdict with its reasons is in <code>report.json</code>, "
        "beside this page. Made by btfkit "
     << BTFKIT_VERSION << ".</p></header>\n";
  OS << "<section id=\"kernels\"><h2>Kernels</h2>\n";
  printKernelTable(R, OS);
  OS << "</section>\n";
  for (size_t I = 0; I < R.Kernels.size(); ++I)
    printKernelSection(R, I, OS);
  printModules(R, OS);
  OS << "<script>" << Script << "</script>\n</body></html>\n";
}
