"""Command line of the package: `python -m utils regenerate-data | verify-data`."""
import argparse
import sys

from . import data


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m utils")
    sub = parser.add_subparsers(dest="command", required=True)
    regen = sub.add_parser("regenerate-data", help="write datafiles/*.npz and SHA256SUMS from the fixed seed")
    regen.add_argument("--out", default=str(data.DATA_DIR), help="folder to write (default: the package's utils/datafiles/)")
    sub.add_parser("verify-data", help="check utils/datafiles/ against SHA256SUMS")
    args = parser.parse_args(argv)
    if args.command == "regenerate-data":
        for name, digest in sorted(data.regenerate(args.out).items()):
            print(f"{digest}  {name}")
    else:
        for name in data.FILES:
            data.load_arrays(name)
            print(f"{name}: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
