# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""What a person sees of a compatibility report's index.html, checked in
headless Chromium against the report.json beside it.

check_page(report_dir, artifacts) opens the page from its file, with the
network unused (the page's Content-Security-Policy forbids any request, and
none may be made), and checks:
  - the title, and the kernel table in the first screen: each kernel's name,
    its counts of loads, refusals and garbled BTF as report.json has them,
    and its first cause;
  - each kernel's causes as the page ranks them, "<cause> on <kernel>: N
    modules", in report.json's order;
  - one row per judged module, verdict cells in the page's colours;
  - that a refused module's reasons are hidden until its row is opened, and
    shown then;
  - that the filter shows exactly the modules whose name or causes match;
  - no script error.
Screenshots go to ARTIFACTS: top.png (the first screen) and module.png (an
opened row). Returns a list of problems (empty: the page is right).
"""
import json
import os

from chromium import Chromium

OK_COLOUR = "rgb(26, 127, 55)"
NO_COLOUR = "rgb(180, 35, 24)"


def plural(n, one, many):
    return "{:,} {}".format(n, one if n == 1 else many)


def check_page(report_dir, artifacts, width=1280, height=900):
    report = json.load(open(os.path.join(report_dir, "report.json")))
    kernels, modules = report["kernels"], report["modules"]
    judged = [m for m in modules if "error" not in m]
    problems = []

    def expect(cond, what):
        if not cond:
            problems.append(what)
        return cond

    os.makedirs(artifacts, exist_ok=True)
    url = "file://" + os.path.abspath(os.path.join(report_dir, "index.html"))
    with Chromium() as c:
        page = c.open(url, width=width, height=height)
        page.screenshot(os.path.join(artifacts, "top.png"))
        title = page.evaluate("document.title")
        expect(title == "BTF compatibility: %s on %s" % (
            plural(len(modules), "module", "modules"),
            plural(len(kernels), "kernel", "kernels")), "title: %r" % title)

        # The kernel table, row by row as displayed, and on the first screen.
        rows = page.evaluate(
            "[...document.querySelectorAll('#summary tbody tr')].map("
            "r => [...r.cells].map(c => c.innerText.trim()))")
        expect(len(rows) == len(kernels), "%d kernel rows for %d kernels" % (len(rows), len(kernels)))
        for k, row in zip(kernels, rows):
            counts = k["counts"]
            expect(row[0].split("\n")[0] == k["name"], "kernel cell %r for %s" % (row[0], k["name"]))
            got = row[1:4]
            want = ["{:,}".format(counts[x]) for x in ("loads", "refused", "garbled")]
            expect(got == want, "%s: counts shown %s, report.json %s" % (k["name"], got, want))
            first = ("%s: %s" % (k["causes"][0]["summary"], plural(k["causes"][0]["count"], "module", "modules"))
                     if k["causes"] else "none")
            expect(row[4] == first, "%s: first cause shown %r, want %r" % (k["name"], row[4], first))
        bottom = page.evaluate("document.getElementById('summary').getBoundingClientRect().bottom")
        expect(bottom <= height, "the kernel table ends at %dpx, below the first screen (%dpx)" % (bottom, height))

        # Each kernel's ranked causes, as text a person reads.
        for i, k in enumerate(kernels):
            shown = page.evaluate(
                "[...document.querySelectorAll('#kernel-%d ol.causes > li')].map("
                "li => li.innerText.split(' which')[0].replace(/ \\(.*\\)$/, '').trim())" % i)
            want = ["%s on %s: %s" % (c["summary"], k["name"], plural(c["count"], "module", "modules"))
                    for c in k["causes"][:25]]
            expect(shown[:len(want)] == want,
                   "%s: causes shown %r..., report.json %r..." % (k["name"], shown[:3], want[:3]))

        # The matrix: one row per judged module, in the page's colours.
        n_rows = page.evaluate("document.querySelectorAll('#matrix > .row').length")
        expect(n_rows == len(judged), "%d module rows for %d judged modules" % (n_rows, len(judged)))
        colours = page.evaluate(
            "[...['loads','refused']].map(c => { const e = document.querySelector('#matrix .cell.' + c);"
            " return e ? getComputedStyle(e).color : null; })")
        if any(any(p["verdict"] == "loads" for p in m["verdicts"]) for m in judged):
            expect(colours[0] == OK_COLOUR, "a 'loads' cell is %s, not green" % colours[0])
        failing = [(i, m) for i, m in enumerate(modules)
                   if "error" not in m and any(p["verdict"] != "loads" for p in m["verdicts"])]
        if failing:
            expect(colours[1] == NO_COLOUR, "a 'refused' cell is %s, not red" % colours[1])
            # The first failing module by name: reasons hidden, then shown.
            idx, mod = min(failing, key=lambda x: (x[1]["name"].lower(), x[0]))
            pair = next(p for p in mod["verdicts"] if p["verdict"] != "loads")
            reason = pair["explanations"][0]
            text = page.evaluate("document.body.innerText")
            expect(reason not in text, "%s: its reasons show before its row is opened" % mod["name"])
            page.evaluate("(() => { const d = document.getElementById('m%d');"
                          " d.querySelector('summary').click(); d.scrollIntoView({block: 'center'}); })()" % idx)
            shown = page.evaluate("document.getElementById('m%d').innerText" % idx)
            expect(reason in shown, "%s: opened, its row does not show %r" % (mod["name"], reason))
            expect(pair["kernel_message"] in shown,
                   "%s: opened, its row does not show the kernel's message" % mod["name"])
            page.screenshot(os.path.join(artifacts, "module.png"))

            # The filter, by a word of the first kernel's first cause; it
            # searches names, paths under the modules' common folder, causes.
            dirs = [os.path.dirname(m["path"]).split("/") for m in modules]
            common_parts = dirs[0]
            for d in dirs[1:]:
                n = 0
                while n < min(len(d), len(common_parts)) and d[n] == common_parts[n]:
                    n += 1
                common_parts = common_parts[:n]
            common = "/".join(common_parts)
            word = next(k["causes"][0]["name"] or k["causes"][0]["summary"].split()[-1]
                        for k in kernels if k["causes"])
            def matches(i, m):
                path = m["path"][len(common) + 1:] if common else m["path"]
                causes = [kernels[k]["causes"][c]["summary"]
                          for k, p in enumerate(m["verdicts"]) for c in p.get("causes", [])]
                return word.lower() in " ".join([m["name"], path] + causes).lower()
            want = sum(1 for i, m in enumerate(modules) if "error" not in m and matches(i, m))
            got = page.evaluate(
                "(() => { const q = document.getElementById('q'); q.value = %s;"
                " q.dispatchEvent(new Event('input'));"
                " return [[...document.querySelectorAll('#matrix > .row')].filter(r => !r.hidden).length,"
                " document.getElementById('shown').textContent]; })()" % json.dumps(word))
            expect(got[0] == want, "filter %r shows %d rows, %d modules match" % (word, got[0], want))
            expect(got[1] == "{:,}".format(want), "filter %r says %r shown" % (word, got[1]))
            visible = page.evaluate("document.getElementById('tools').hidden")
            expect(visible is False, "the filter is not shown")

        expect(page.evaluate("performance.getEntriesByType('resource').length") == 0,
               "the page requested resources")
        errors = page.errors()
        expect(not errors, "script errors: %s" % errors)
    return problems
