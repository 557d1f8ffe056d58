"""What a grading run writes: grades.csv, scores.png, feedback/STUDENT.html, grading.log, results.json."""
import csv
import hashlib
import html
import unicodedata
from collections import defaultdict
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads such a cell as a formula (OWASP, CSV injection)


def escape(text, keep=""):
    """`text` on one line, as plain characters: line breaks, control and format characters (bidirectional
    overrides included) written as Python escapes, so a student's text cannot start a line of its own or
    disguise one in grading.log or on a terminal. `keep`: characters left as they are (the feedback page keeps
    a message's line breaks and tabs)."""
    return "".join(c.encode("unicode_escape").decode("ascii") if c not in keep and (c == "\\" or _hidden(c)) else c
                   for c in str(text))


def _hidden(c):
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def cell(text):
    """`text` as a spreadsheet cell that is never a formula: OWASP's single quote before a leading = + - @ tab
    or carriage return (csv.writer quotes the field where needed)."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def columns(results):
    """[(assignment, grade_id, column name)] for every grade cell (written answers included) in notebook order;
    a column is named by its grade_id, or ASSIGNMENT:grade_id when two assignments use the same grade_id."""
    seen = {}
    for r in sorted(results, key=lambda r: (r["assignment"], r["notebook"])):
        for gid in r["grade_cells"]:
            seen.setdefault((r["assignment"], gid), None)
    ids = [gid for _, gid in seen]
    return [(a, gid, gid if ids.count(gid) == 1 else f"{a}:{gid}") for a, gid in seen]


def table(results):
    """{student: {(assignment, grade_id): points}}, the maximum per column, and the manually graded columns."""
    scores, maximum, manual = defaultdict(dict), {}, set()
    for r in results:
        for e in r["exercises"]:
            scores[r["student"]][(r["assignment"], e["grade_id"])] = e["points"]
            maximum[(r["assignment"], e["grade_id"])] = e["max_points"]
        for m in r.get("manual", []):
            manual.add((r["assignment"], m["grade_id"]))
            maximum[(r["assignment"], m["grade_id"])] = m["points"]
    return scores, maximum, manual


def write_csv(results, path):
    """One row per student, one column per exercise (points; empty for manually graded answers), total."""
    cols = columns(results)
    scores, maximum, manual = table(results)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id"] + [name for _, _, name in cols] + ["total", "max_total"])
        auto = [(a, g) for a, g, _ in cols if (a, g) not in manual]
        for student in sorted(scores):
            row = scores[student]
            cells = ["" if (a, g) in manual else _fmt(row.get((a, g), 0.0)) for a, g, _ in cols]
            writer.writerow([cell(student)] + cells + [_fmt(sum(row.get(k, 0.0) for k in auto)),
                                                 _fmt(sum(maximum[k] for k in auto))])


def _fmt(x):
    return f"{x:g}"


def write_figure(results, path):
    """Small multiples: for each autograded exercise, how many students earned each number of points."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = columns(results)
    scores, maximum, manual = table(results)
    cols = [c for c in cols if (c[0], c[1]) not in manual]
    n = max(1, len(cols))
    ncols = min(4, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.6 * nrows), squeeze=False)
    for ax, (a, gid, name) in zip(axes.flat, cols):
        earned = [scores[s].get((a, gid), 0.0) for s in sorted(scores)]
        values = sorted(set(earned) | {0.0, maximum[(a, gid)]})
        counts = [earned.count(v) for v in values]
        ax.bar([f"{v:g}" for v in values], counts, color="#0072B2")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(f"points (of {maximum[(a, gid)]:g})")
        ax.set_ylabel("students")
    for ax in list(axes.flat)[len(cols):]:
        ax.axis("off")
    fig.suptitle(f"Score distribution per exercise ({len(scores)} students)")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse;width:100%}"
         "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
         ".passed{color:#006d2c}.failed,.limit,.reference,.error{color:#b2182b}.ungradable,.manual{color:#555}")


def feedback_names(students):
    """({student: file name}, [problem]): a name per student made of letters, digits, `-`, `_` and `.` only
    (never a path, never hidden), unique even on a case-insensitive disk: ids that sanitise to the same name
    (`ann lee`, `ann_lee`) or that sanitising changed each get `~` and a digest of the exact id appended (`~`
    is never in a sanitised name, so no other id can take it), and every such case is listed (for the log)
    rather than overwritten."""
    base = {s: _safe(s) for s in students}
    taken = defaultdict(list)
    for student, name in base.items():
        taken[name.lower()].append(student)
    names, problems = {}, []
    for student, name in sorted(base.items()):
        clash = len(taken[name.lower()]) > 1
        if clash or name != student:
            name = f"{name[:80]}~{hashlib.sha256(student.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
            others = sorted(set(taken[base[student].lower()]) - {student})
            why = (f"shares the name {base[student]}.html with {', '.join(others)}" if clash
                   else "is not a safe file name")
            problems.append(f"student id {student!r} {why}: feedback written to feedback/{name}.html")
        names[student] = name + ".html"
    return names, problems


def write_feedback(results, folder):
    """feedback/STUDENT.html: every exercise's points and message (all text escaped: HTML, and control characters
    but line breaks and tabs as in `escape`). Returns the paths
    written and the problems with student ids (see feedback_names)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_student = defaultdict(list)
    for r in results:
        by_student[r["student"]].append(r)
    names, problems = feedback_names(by_student)
    paths = []
    for student, rows in sorted(by_student.items()):
        def esc(text):
            return html.escape(escape(text, keep="\n\t"))
        parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback for {esc(student)}</title>"
                 f"<style>{STYLE}</style></head><body><h1>Feedback for {esc(student)}</h1>"]
        total = sum(e["points"] for r in rows for e in r["exercises"])
        most = sum(e["max_points"] for r in rows for e in r["exercises"])
        parts.append(f"<p>Autograded points: <b>{total:g} of {most:g}</b>.</p>")
        for r in sorted(rows, key=lambda r: (r["assignment"], r["notebook"])):
            parts.append(f"<h2>{esc(r['assignment'])} / {esc(r['notebook'])}</h2><table>"
                         "<tr><th>exercise</th><th>points</th><th>message</th></tr>")
            for e in r["exercises"]:
                parts.append(f"<tr class='{esc(e['status'])}'><td>{esc(e['grade_id'])}</td>"
                             f"<td>{e['points']:g} / {e['max_points']:g}</td><td>{esc(e['message'])}</td></tr>")
            for m in r.get("manual", []):
                parts.append(f"<tr class='manual'><td>{esc(m['grade_id'])}</td><td>– / {m['points']:g}</td>"
                             "<td>graded by hand</td></tr>")
            parts.append("</table>")
        parts.append("</body></html>")
        path = folder / names[student]
        if path.resolve().parent != folder.resolve():  # feedback_names makes this impossible; a guard, not a hope
            raise ValueError(f"feedback page {path} for {student!r} would leave {folder}")
        path.write_text("".join(parts), encoding="utf-8")
        paths.append(path)
    return paths, problems


def _safe(name):
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name).lstrip(".")[:200] or "_"


def log_lines(results, problems=()):
    """Every limit hit, flag, isolation shortfall, grading error and student-id problem, one line each, in a
    stable order; every text a student controls (ids, messages) escaped onto its line."""
    lines, isolation = [], set()
    used = sorted({r["cgroup"] for r in results if r.get("cgroup")})
    for r in sorted(results, key=lambda r: (r["student"], r["assignment"], r["notebook"])):
        where = escape(f"{r['student']}/{r['assignment']}/{r['notebook']}")
        for event in r["events"]:
            if event["kind"] == "isolation":
                isolation.add(escape(event["text"]))
            else:
                lines.append(f"[{escape(event['kind'])}] {where}: {escape(event['text'])}")
    return ([f"[grader] each sandbox's memory, processes and CPU bounded by {u}" for u in used]
            + [f"[isolation] every submission: {t}" for t in sorted(isolation)]
            + [f"[report] {escape(p)}" for p in problems] + lines)


def write_all(results, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(results, out / "grades.csv")
    write_figure(results, out / "scores.png")
    _, problems = write_feedback(results, out / "feedback")
    (out / "grading.log").write_text("\n".join(log_lines(results, problems)) + "\n", encoding="utf-8")
