"""Benchmark the tracker at national scale: pages, the reminder sweep, digest sending and load.

    python -m bench --sizes 1000,50000,500000 --rounds 5 --json bench.json

Each size gets a PostgreSQL database of its own (peel_bench_<size> on the server
of --database-url), created, migrated and filled by the generator when it does not
already hold that size and seed. The pages are timed in --passes passes, each
pass every size in a process of its own one after the other (small, large, small,
large, ...), so that a noisy minute falls on both sides (`interleaved`); then the
sweeps, once per size; sending once, at the largest size, through a Celery worker
on Redis database 14 to an SMTP server in the benchmark's process; then the load
test (`bench.load`) at --load-size, against one gunicorn server and then two
behind one address.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import ADMIN, ADMIN_ROWS, RAW_SQL, vs_admin

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/peel_bench_{size}"

# The targets of issues 6 and 18.
MAX_VS_ADMIN = 1.0
MAX_LARGE_OVER_SMALL = 1.5
MAX_QUERIES = 15
MAX_SWEEP_SECONDS = 3.0
MAX_SEND_SECONDS = 60.0


def run_size(size: int, args, digests: int, only: str = "all") -> dict:
    url = args.database_url.format(size=size)
    command = [
        sys.executable,
        "-m",
        "bench.measure",
        f"--size={size}",
        f"--seed={args.seed}",
        f"--rounds={args.rounds}",
        f"--database-url={url}",
        f"--redis-url={args.redis_url}",
        f"--digests={digests}",
        f"--only={only}",
    ]
    print(
        f"{size:,} actions ({url.rsplit('/', 1)[-1]}): {only}",
        file=sys.stderr,
        flush=True,
    )
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"Measuring {size:,} actions failed (exit {done.returncode}).")
    return json.loads(done.stdout.strip().splitlines()[-1])


def per_row(row: dict) -> float:
    return row["median_ms"] / max(row.get("rows") or 1, 1)


def ratios(results: list[dict]) -> dict[int, dict[str, float]]:
    """Each larger size over the smallest, per page; an export is compared per row it carries."""
    small = results[0]
    by_name = {row["name"]: row for row in small["pages"]}
    out = {}
    for result in results[1:]:
        out[result["size"]] = {}
        for row in result["pages"]:
            before = by_name[row["name"]]
            if "rows" in row:
                ratio = per_row(row) / per_row(before)
            else:
                ratio = row["median_ms"] / before["median_ms"]
            out[result["size"]][row["name"]] = round(ratio, 2)
    return out


def interleaved(passes: list[list[dict]]) -> tuple[list[dict], dict, dict]:
    """The pages of several passes, each pass every size one after the other (small,
    large, small, large, ...), so that a noisy minute falls on both sides.

    Returns, per size, the pages with the median of the passes' medians (min and
    max over every timed request); per larger size, each page's ratio over the
    smallest size as the median of the passes' own ratios; and each ratio's
    spread over the passes (min, max).
    """
    sizes = len(passes[0])
    merged = []
    for index in range(sizes):
        runs = [one[index] for one in passes]
        pages = []
        for row in runs[0]["pages"]:
            same = [
                next(r for r in run["pages"] if r["name"] == row["name"])
                for run in runs
            ]
            pages.append(
                {
                    **row,
                    "median_ms": round(
                        statistics.median(r["median_ms"] for r in same), 2
                    ),
                    "min_ms": min(r["min_ms"] for r in same),
                    "max_ms": max(r["max_ms"] for r in same),
                }
            )
        admin = next(r["median_ms"] for r in pages if r["name"] == ADMIN)
        floor = next(r["median_ms"] for r in pages if r["name"] == RAW_SQL)
        for row in pages:
            row["vs_admin"] = vs_admin(row, admin)
            row["vs_raw_sql"] = round(row["median_ms"] / floor, 1)
        merged.append({**runs[0], "pages": pages})
    each = [ratios(one) for one in passes]
    page_ratios, spread = {}, {}
    for size, names in each[0].items():
        page_ratios[size] = {
            name: round(statistics.median(r[size][name] for r in each), 2)
            for name in names
        }
        spread[size] = {
            name: (min(r[size][name] for r in each), max(r[size][name] for r in each))
            for name in names
        }
    return merged, page_ratios, spread


def sweep_of(result: dict, variant: str) -> dict | None:
    return next((s for s in result.get("sweeps", []) if s["variant"] == variant), None)


def ms_per_reminder(sweep: dict) -> float:
    return sweep["seconds"] * 1000 / max(sweep["recorded"], 1)


def targets(
    results: list[dict], page_ratios: dict, send: dict | None, load: dict | None = None
) -> list[dict]:
    checks = []

    def check(name, misses, detail=""):
        checks.append(
            {"target": name, "met": not misses, "misses": misses, "detail": detail}
        )

    smallest = results[0]["size"]
    for result in results:
        size = result["size"]
        pages = [r for r in result["pages"] if r["name"] not in (ADMIN, RAW_SQL)]
        check(
            f"every page <= {MAX_VS_ADMIN}x the admin changelist at {size:,}",
            [
                f"{r['name']} ({r['vs_admin']}x)"
                for r in pages
                if r["vs_admin"] > MAX_VS_ADMIN
            ],
            f"an export per row, against the changelist's {ADMIN_ROWS} rows a page",
        )
        if size in page_ratios:
            check(
                f"every page at {size:,} <= {MAX_LARGE_OVER_SMALL}x its time at {smallest:,}",
                [
                    f"{r['name']} ({page_ratios[size][r['name']]})"
                    for r in pages
                    if page_ratios[size][r["name"]] > MAX_LARGE_OVER_SMALL
                ],
                "the export is compared per row",
            )
    queries = {}
    for result in results:
        for row in result["pages"]:
            if row["name"] != RAW_SQL:
                queries.setdefault(row["name"], []).append(row["queries"])
    check(
        f"queries equal at every size and <= {MAX_QUERIES}",
        [
            f"{name} ({'/'.join(map(str, counts))})"
            for name, counts in queries.items()
            if len(set(counts)) > 1 or max(counts) > MAX_QUERIES
        ],
    )
    large = results[-1]
    generated = sweep_of(large, "as generated")
    if generated:
        check(
            f"sweep over the data as generated at {large['size']:,} < {MAX_SWEEP_SECONDS:g} s",
            []
            if generated["seconds"] < MAX_SWEEP_SECONDS
            else [f"{generated['seconds']} s"],
        )
    if len(results) > 1:
        before = results[-2]
        earlier = sweep_of(before, "as generated")
        if generated and earlier:
            ratio = round(generated["seconds"] / max(earlier["seconds"], 1e-6), 2)
            check(
                f"sweep as generated at {large['size']:,} <= {MAX_LARGE_OVER_SMALL}x "
                f"its time at {before['size']:,}",
                [] if ratio <= MAX_LARGE_OVER_SMALL else [f"{ratio}x"],
                f"{ratio}x",
            )
        every, every_before = (
            sweep_of(large, "every action open"),
            sweep_of(before, "every action open"),
        )
        if every and every_before:
            ratio = round(ms_per_reminder(every) / ms_per_reminder(every_before), 2)
            check(
                f"sweep with every action open: time per reminder at {large['size']:,} "
                f"<= {MAX_LARGE_OVER_SMALL}x at {before['size']:,}",
                [] if ratio <= MAX_LARGE_OVER_SMALL else [f"{ratio}x"],
                f"{ratio}x",
            )
    if send is not None:
        ok = send.get("seconds") is not None and send["seconds"] < MAX_SEND_SECONDS
        ok = ok and send["received"] == send["digests"]
        check(
            f"{send['digests']:,} digests sent < {MAX_SEND_SECONDS:g} s",
            [] if ok else [f"{send.get('seconds')} s, {send['received']} received"],
        )
    for run in (load or {}).get("runs", []):
        servers = run["servers"]
        if "skipped" in run:
            misses = [run["skipped"]]
        else:
            misses = [] if run["errors"] == 0 else [f"{run['errors']} errors"]
        check(
            f"load: {run['users']} users for {run['seconds']} s at {load['size']:,} "
            f"on {servers} server{'s' if servers > 1 else ''}: 0 errors",
            misses,
        )
    return checks


def table(
    results: list[dict], page_ratios: dict, ratio_spread: dict | None = None
) -> str:
    sizes = [r["size"] for r in results]
    larger = sizes[1:]
    ratio_spread = ratio_spread or {}
    head = f"{'page':<26}" + "".join(f"{f'{s:,} actions':>27}" for s in sizes)
    head += "".join(f"{f'/{sizes[0]:,}':>9}{'(passes)':>12}" for _ in larger)
    head += f"{'vs admin':>10}{'vs raw SQL':>12}"
    sub = f"{'':<26}" + "".join(f"{'median (min-max) ms':>23}{'q':>4}" for _ in sizes)
    sub += "".join(f"{f'{s:,}':>21}" for s in larger)
    lines = [head, sub, "-" * len(head)]
    names = [row["name"] for row in results[-1]["pages"]]
    for name in names:
        line = f"{name:<26}"
        for result in results:
            row = next(r for r in result["pages"] if r["name"] == name)
            spread = f"{row['median_ms']:.1f} ({row['min_ms']:.1f}-{row['max_ms']:.1f})"
            line += f"{spread:>23}{row['queries']:>4}"
        for size in larger:
            ratio = page_ratios[size][name]
            low, high = ratio_spread.get(size, {}).get(name, (ratio, ratio))
            line += f"{ratio:>9.2f}{f'{low:.2f}-{high:.2f}':>12}"
        last = next(r for r in results[-1]["pages"] if r["name"] == name)
        line += f"{last['vs_admin']:>10.2f}{last['vs_raw_sql']:>12.1f}"
        lines.append(line)
    for result in results:
        if "rows" in (
            row := next(r for r in result["pages"] if r["name"] == "csv export")
        ):
            lines.append(f"  csv export at {result['size']:,}: {row['rows']:,} rows")
    return "\n".join(lines)


def run_load_tests(args, sizes: list[int]) -> dict | None:
    """The load test at --load-size, on one server and then two behind one address."""
    if not args.load_size:
        return None
    if args.load_size not in sizes:
        print(
            f"load test skipped: --load-size {args.load_size:,} is not one of the sizes",
            file=sys.stderr,
        )
        return None
    from bench.load import run_load

    runs = []
    for servers in sorted({int(n) for n in args.load_servers.split(",")}):
        url = copy_database(args.database_url.format(size=args.load_size))
        print(
            f"{args.load_size:,} actions: load test, {args.load_users} users for "
            f"{args.load_seconds} s on {servers} server(s)",
            file=sys.stderr,
            flush=True,
        )
        try:
            runs.append(
                run_load(
                    url,
                    args.cache_url,
                    users=args.load_users,
                    seconds=args.load_seconds,
                    servers=servers,
                    progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True),
                )
            )
        finally:
            drop_database(url)
    return {"size": args.load_size, "runs": runs}


def copy_database(url: str) -> str:
    """A copy of the database at `url` (PostgreSQL's template copy), for the load test.

    Its progress updates stay where they are written, as any update would: on a
    copy, the page benchmark's data is the same in the next run.
    """
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    copy = f"{name}_load"
    with psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True
    ) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy), sql.Identifier(name)
            )
        )
    return urlunsplit(parts._replace(path=f"/{copy}"))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parts.path.lstrip("/"))
            )
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--sizes",
        default="1000,50000,500000",
        help="Numbers of actions, e.g. 1000,50000 (default %(default)s).",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="Timed requests per page (after one warm-up).",
    )
    parser.add_argument(
        "--passes",
        type=int,
        default=3,
        help="Passes over the pages, the sizes interleaved in each (default 3).",
    )
    parser.add_argument("--json", type=Path, help="Write the results here.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL URL with {size} in the database name (default %(default)s).",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        help="Broker for the sending benchmark (default %(default)s).",
    )
    parser.add_argument(
        "--digests", type=int, default=1000, help="Digests to send (0: skip)."
    )
    parser.add_argument(
        "--load-size",
        type=int,
        default=50000,
        help="Size to run the load test at, one of --sizes (0: skip; default %(default)s).",
    )
    parser.add_argument("--load-users", type=int, default=50)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument(
        "--load-servers",
        default="1,2",
        help="Runs of the load test, by number of gunicorn servers (default %(default)s).",
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13"),
        help="The servers' shared cache in the load test, flushed first (default %(default)s).",
    )
    args = parser.parse_args(argv)
    sizes = sorted({int(size.replace("_", "")) for size in args.sizes.split(",")})
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.passes < 1:
        parser.error("--passes must be at least 1")

    passes = [
        [run_size(size, args, 0, only="pages") for size in sizes]
        for _ in range(args.passes)
    ]
    results, page_ratios, spread = interleaved(passes)
    for result, size in zip(results, sizes, strict=True):
        done = run_size(size, args, args.digests if size == sizes[-1] else 0, "sweeps")
        result["sweeps"] = done["sweeps"]
        if "send" in done:
            result["send"] = done["send"]
    send = results[-1].get("send")
    load = run_load_tests(args, sizes)
    checks = targets(results, page_ratios, send, load)

    print()
    print(table(results, page_ratios, spread))
    print()
    for result in results:
        for sweep in result["sweeps"]:
            print(
                f"sweep at {result['size']:,} ({sweep['variant']}): {sweep['seconds']:.2f} s "
                f"over {sweep['open_actions']:,} open actions ({sweep['remindable_actions']:,} "
                f"remindable), {sweep['recorded']:,} reminders for {sweep['recipients']} "
                f"people, {ms_per_reminder(sweep):.3f} ms a reminder"
            )
    if send:
        print(
            f"send: {send['received']} of {send['digests']} digests received in "
            f"{send['seconds']} s"
        )
    if load:
        from bench.load import table as load_table

        for run in load["runs"]:
            print()
            print(run["skipped"] if "skipped" in run else load_table(run))
    print()
    for item in checks:
        mark = "met   " if item["met"] else "MISSED"
        misses = f": {', '.join(item['misses'])}" if item["misses"] else ""
        print(f"[{mark}] {item['target']}{misses}")

    if args.json:
        pages = [
            {
                key: row[key]
                for key in (
                    "name",
                    "size",
                    "median_ms",
                    "min_ms",
                    "max_ms",
                    "queries",
                    "vs_admin",
                    "vs_raw_sql",
                )
            }
            | ({"rows": row["rows"]} if "rows" in row else {})
            for result in results
            for row in result["pages"]
        ]
        document = {
            "date": datetime.date.today().isoformat(),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "postgresql": results[-1].get("postgresql"),
                "load_average": os.getloadavg(),
            },
            "seed": args.seed,
            "rounds": args.rounds,
            "sizes": sizes,
            "pages": pages,
            # Per larger size, each page over the smallest size: medians of the passes'.
            "ratios": {str(size): r for size, r in page_ratios.items()},
            "ratio_spread": {str(size): r for size, r in spread.items()},
            "passes": args.passes,
            # The target is the sweep over every action open at the largest size.
            "sweep": results[-1]["sweeps"][-1],
            "sweeps": [
                sweep | {"ms_per_reminder": round(ms_per_reminder(sweep), 4)}
                for result in results
                for sweep in result["sweeps"]
            ],
            "send": send,
            "load": load,
            "targets": checks,
            "data": {str(result["size"]): result["data"] for result in results},
            "list_rows_sql": next(
                r["sql"] for r in results[-1]["pages"] if r["name"] == RAW_SQL
            ),
        }
        args.json.write_text(json.dumps(document, indent=2, default=str) + "\n")
        print(f"\nWrote {args.json}")


if __name__ == "__main__":
    main()
