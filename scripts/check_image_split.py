"""Hostile input for a kuberay project's scripts/image_requirements.py (check-generated's
docker-sim runs this in the project, with the image's interpreter).

Names spelled otherwise than PyPI compares them, markers, `# via` annotations, a URL and an
editable requirement, a package the image has at the lock's version, and a Ray that is not
the image's.
"""

import sys

sys.path.insert(0, "scripts")
from image_requirements import split  # the project's script, found above

LOCKED = """# comment
NumPy==2.5.5 ; python_full_version >= '3.12'
    # via ray
requests==2.34.2
boto3==1.40.0
mypkg @ https://example.com/mypkg-1.0.whl
-e ./libs/a
""".splitlines()

install, kept = split(LOCKED, {"numpy": "2.4.6", "requests": "2.34.2", "ray": "2.60.0"})
want = ["boto3==1.40.0", "mypkg @ https://example.com/mypkg-1.0.whl", "-e ./libs/a"]
assert install == want, install
assert kept == ["numpy 2.4.6 (Ray's image; uv.lock has 2.5.5)"], kept
try:
    split(["ray==2.59.0"], {"ray": "2.60.0"})
except SystemExit as e:
    assert "spec.rayVersion" in str(e), e
else:
    raise AssertionError("a Ray other than the image's was accepted")
print("image_requirements.py: split cases ok")
