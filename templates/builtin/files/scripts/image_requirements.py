"""Split the lock's requirements for the Ray image (the Dockerfile runs this at build time).

Ray's image was built and tested with the packages it holds (numpy, protobuf, grpcio, ...;
`/home/ray/requirements_compiled.txt` pins them). Installing the lock over them would replace
Ray's tested versions with whatever `uv lock` picked. Instead:

- a package the image already has is kept at the image's version (listed when the lock has
  another one), except Ray itself, which must be the lock's version exactly;
- every other package of the lock is installed at the lock's version;
- the image's packages are the constraints of that install, so nothing it adds may replace
  one of them: a package that needs a newer numpy than Ray's fails the build, naming both.

Usage: python image_requirements.py LOCKED REQUIREMENTS CONSTRAINTS
(LOCKED: `uv export --no-hashes` output; it writes the two others for `uv pip install`).
"""

import re
import sys
from importlib.metadata import distributions
from pathlib import Path

# `name==version` at the start of a requirement line, then markers or comments.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#\\]+)")


def normalize(name: str) -> str:
    """The package name as PyPI compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> dict[str, str]:
    """The image interpreter's packages: normalized name -> version."""
    found = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name and dist.version:
            found.setdefault(normalize(name), dist.version)
    return found


def split(locked: list[str], image: dict[str, str]) -> tuple[list[str], list[str]]:
    """The lines to install, and one line per image package the lock wanted otherwise."""
    install, kept = [], []
    for line in locked:
        if not line.strip() or line.lstrip().startswith("#"):
            continue  # blank lines, comments and the `# via` annotations
        match = PIN.match(line.strip())
        if not match:
            install.append(line.strip())  # a URL or path requirement, an option: as is
            continue
        name, version = normalize(match.group(1)), match.group(2)
        if name not in image:
            install.append(line.strip())
        elif image[name] != version:
            if name == "ray":
                sys.exit(
                    f"error: the image has Ray {image['ray']} but uv.lock has {version}: "
                    "the Dockerfile's FROM tag, pyproject.toml's ray pin and the manifest's "
                    "spec.rayVersion must name the same release"
                )
            kept.append(f"{name} {image[name]} (Ray's image; uv.lock has {version})")
    return install, kept


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: python image_requirements.py LOCKED REQUIREMENTS CONSTRAINTS")
    locked, requirements, constraints = (Path(arg) for arg in sys.argv[1:])
    image = installed()
    install, kept = split(locked.read_text().splitlines(), image)
    requirements.write_text("".join(f"{line}\n" for line in install))
    constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(image.items())))
    for line in kept:
        print(f"keeping {line}")
    print(
        f"{len(install)} package(s) to install from uv.lock, {len(image)} in the image"
    )


if __name__ == "__main__":
    main()
