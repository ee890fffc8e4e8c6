"""The benchmark's table: ratios first, then every figure beside its target from issue 11."""

from __future__ import annotations

from pathlib import Path

Row = tuple[str, str, str, bool | None]  # figure, measured, target, met (None: no target)


def print_table(results: dict, path: Path) -> None:
    """Print the figures of one run, with the machine's load, and where the JSON went."""
    m, r = results["machine"], results["ratios"]
    print(f"coursepack bench ({m['checkout']} at {m['commit']}): {m['cores']} cores")
    print(f"  load average {m['load_average']} at the start, {m['load_average_after']} at the end")
    print(f"  {m['uptime']}")
    hb = "present" if m["harfbuzz_subset"] else "MISSING (fonts subset by fontTools: writing 2-4x slower)"
    print(f"  libharfbuzz-subset: {hb}; WeasyPrint {m['weasyprint']}, pypdf {m['pypdf']}, Python {m['python']}")
    print("\nRATIOS (from this one run)")
    for label, name, target in (
        ("cold build / bare WeasyPrint", "cold_vs_baseline", 0.6),
        ("one-edit rebuild / cold build", "rebuild_vs_cold", 0.15),
    ):
        print(f"  {label:<40} {r[name]:>7.3f}×   target <= {target}×   {verdict(r[name] <= target)}")
    cpu = r["cold_cpu_vs_baseline_cpu"]
    print(f"  {'  (CPU time: cold / bare WeasyPrint)':<40} {cpu:>7.3f}×   less disturbed by other load")
    for name, value in r.items():
        if name.startswith("pages_per_second"):
            label = name.removeprefix("pages_per_second_").replace("_vs_", " vs ")
            print(f"  {'pages/s, ' + label:<40} {value:>7.3f}×   (1.0 = flat)")
    print(f"\n{'figure':<52} {'measured':>16}  {'target':>10}")
    for name, value, target, met in rows(results):
        print(f"{name:<52} {value:>16}  {target:>10}  {verdict(met)}")
    rebuild, noop = results["rebuild"], results["noop"]
    print(f"\nedited {rebuild['edited']}; remade: {', '.join(rebuild['remade']) or 'nothing'}")
    if "skipped" in results["classes"]["ten_thousand"]:
        print(f"10,000 names skipped: {results['classes']['ten_thousand']['skipped']} (--budget 0 runs it)")
    for step in results["scaling"]:
        if "skipped" in step:
            print(f"×{step['times']} skipped: {step['skipped']} (python bench/run.py --budget 0 builds it)")
    if noop["touched"]:
        print(f"touched by the no-op build: {', '.join(noop['touched'])}")
    print("wall times in seconds; (cpu) is user + system time of the command and all its processes")
    print(f"bench took {results['bench_seconds']:.0f} s; JSON in {path}")


def verdict(met: bool | None) -> str:
    """'ok', 'MISS', or nothing for a figure without a target."""
    return "" if met is None else ("ok" if met else "MISS")


def rows(results: dict) -> list[Row]:
    """Every figure as a row of the table."""
    t = results["targets"]
    base, cold, noop, check = results["baseline"], results["cold"], results["noop"], results["check"]
    found: list[Row] = [
        (
            "bare WeasyPrint, each document HTML once (N=1)",
            f"{base['seconds']:.1f} s (cpu {base['cpu']:.0f})",
            "",
            None,
        ),
        (f"  {base['documents']} HTMLs, {base['pages']} pages", f"{base['pages'] / base['seconds']:.1f} p/s", "", None),
        ("cold build, --jobs default (N=1)", f"{cold['seconds']:.1f} s (cpu {cold['cpu']:.0f})", "", None),
        (f"  {cold['laid_out']} pages laid out, {cold['written']} written", f"{cold['peak_mb']:.0f} MB", "", None),
    ]
    for row in results["layout"]:
        if row["kind"] == "all":
            continue
        reference = row["kind"] == "reference"
        name = f"layout {row['kind']}, {row['edition']} ({row['documents']} docs, N={results['layout_runs']})"
        met = None if reference else row["layout"] <= t["layout_ms_per_page"]
        found.append((name, f"{row['layout']:.0f} ms/page", "" if reference else "<= 40", met))
    found += [
        (f"no-op build (median of {noop['n']})", f"{noop['seconds']:.3f} s", "<= 0.05 s", noop["seconds"] <= 0.05),
        ("  files touched in the output folder", str(len(noop["touched"])), "0", not noop["touched"]),
        (f"check (median of {check['n']})", f"{check['seconds']:.3f} s", "<= 0.3 s", check["seconds"] <= 0.3),
        (
            "  check, nothing changed since the build (its record)",
            f"{results['check_recorded']['seconds']:.3f} s",
            "<= 0.3 s",
            results["check_recorded"]["seconds"] <= 0.3,
        ),
    ]
    if "lms" in results:
        lms = results["lms"]
        found += [
            (
                f"export --lms after a build ({lms['size'] / 1e6:.1f} MB cartridge)",
                f"{lms['seconds']:.2f} s ({lms['vs_cold']:.0%} of cold)",
                "<= 25% of cold",
                lms["vs_cold"] <= t.get("lms_vs_cold", 0.25),
            ),
            ("  export --lms, nothing changed (its record)", f"{lms['kept_seconds']:.3f} s", "", None),
        ]
    site, cold_seconds = results["site"], cold["seconds"]
    found += [
        (
            "export --site, the PDFs current (N=1)",
            f"{site['seconds']:.2f} s ({site['seconds'] / cold_seconds:.0%} of cold)",
            "<= 25% of cold",
            site["seconds"] <= t["site_vs_cold"] * cold_seconds,
        ),
        ("  export --site, nothing changed (median)", f"{site['noop_seconds']:.3f} s", "", None),
    ]
    rebuild = results["rebuild"]
    found += [
        (
            "rebuild after one worksheet title edit (N=1)",
            f"{rebuild['seconds']:.1f} s (cpu {rebuild['cpu']:.0f})",
            "",
            None,
        ),
        (f"  PDFs remade (the worksheet's reach: {len(rebuild['expected'])})", str(len(rebuild["remade"])), "", None),
        ("  parts laid out again", str(len(rebuild["parts_laid_out"])), "", None),
    ]
    found += watch_rows(results["watch"], t)
    found += class_rows(results["classes"], t)
    for step in results["scaling"]:
        name = f"×{step['times']} course, student + teacher"
        if "skipped" in step:
            found.append((name, "skipped", "", None))
            continue
        found.append((name, f"{step['seconds']:.1f} s (cpu {step['cpu']:.0f})", "", None))
        found.append((f"  {step['laid_out']} pages laid out", f"{step['laid_out_per_second']:.2f} p/s", "", None))
        found.append(("  peak memory", f"{step['peak_mb']:.0f} MB", "<= 300 MB", step["peak_mb"] <= t["peak_mb"]))
    peak = results["peak_mb"]
    found.append(("peak RSS of any process (every build, check, watch)", f"{peak:.0f} MB", "<= 300 MB", peak <= 300))
    return found


def class_rows(sets: dict, t: dict) -> list[Row]:
    """Class set rows: 30 named copies beyond building the packet, then 1,000 and 10,000 names."""
    thirty = sets["thirty"]
    found: list[Row] = [
        (
            f"class set: 30 named copies of {sets['packet']} (student)",
            f"{thirty['seconds']:.2f} s",
            "<= 1 s",
            thirty["seconds"] <= t["classset_thirty_seconds"],
        ),
        ("  each further student", f"{sets['per_student_ms']:.0f} ms", "", None),
    ]
    for key, label in (("thousand", "1,000"), ("ten_thousand", "10,000")):
        step = sets[key]
        if "skipped" in step:
            found.append((f"class set: {label} names, 30 to a class", "skipped", "", None))
            continue
        found.append((f"class set: {label} names, 30 to a class", f"{step['seconds']:.1f} s", "", None))
        found.append(("  peak memory", f"{step['peak_mb']:.0f} MB", "<= 300 MB", step["peak_mb"] <= t["peak_mb"]))
    return found


def watch_rows(watch: dict, t: dict) -> list[Row]:
    """Watch latency rows, or one saying it is not available."""
    if not watch.get("available"):
        return [("watch", "not available", "", None)]
    docs, packets = watch["documents_seconds"], watch["packets_seconds"]
    return [
        (
            f"watch: save → its document PDFs (median of {watch['n']})",
            f"{docs:.2f} s",
            "<= 0.5 s",
            docs <= t["watch_documents_seconds"],
        ),
        ("watch: save → every packet holding it", f"{packets:.2f} s", "<= 3 s", packets <= t["watch_packets_seconds"]),
    ]
