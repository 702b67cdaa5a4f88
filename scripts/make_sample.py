"""Make data/sample/ from ../shared/data: real rows only, gzip-compressed, reproducibly.

    python scripts/make_sample.py [--shared ../shared/data] [--out data/sample]

movies_metadata.csv.gz: the 5,000 real films, byte for byte. credits.csv.gz: the header and
the six real credit rows (Toy Story, Jumanji, Grumpier Old Men, Waiting to Exhale, Father of
the Bride Part II, Heat); every other credit row of the shared file is synthetic and stays out.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from pathlib import Path

REAL_CREDIT_IDS = ("862", "8844", "15602", "31357", "11862", "949")
ROOT = Path(__file__).resolve().parents[1]


def write_gzip(path: Path, data: bytes) -> None:
    """mtime 0 and no file name in the header, so the same input gives the same bytes."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)


def real_credits(credits: Path) -> bytes:
    csv.field_size_limit(sys.maxsize)
    with credits.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = {row[header.index("id")]: row for row in reader}
    missing = [i for i in REAL_CREDIT_IDS if i not in rows]
    if missing:
        raise SystemExit(f"{credits} lacks the real credit rows {missing}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows[i] for i in REAL_CREDIT_IDS)
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "sample")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write_gzip(args.out / "movies_metadata.csv.gz", (args.shared / "movies_metadata.csv").read_bytes())
    write_gzip(args.out / "credits.csv.gz", real_credits(args.shared / "credits.csv"))
    for path in sorted(args.out.glob("*.gz")):
        print(f"{path}: {path.stat().st_size:,} bytes")  # noqa: T201


if __name__ == "__main__":
    main()
