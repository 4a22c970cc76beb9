"""setuptools glue for pyproject.toml: the version from the C header, and
the library named by AIAPREP_LIBRARY at install time recorded in
aiaprep/_install.py."""
import os
import re

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def version():
    with open(os.path.join(HERE, "..", "include", "aiaprep.h")) as f:
        parts = dict(re.findall(r"#define AIAPREP_VERSION_(MAJOR|MINOR|PATCH) (\d+)", f.read()))
    return f"{parts['MAJOR']}.{parts['MINOR']}.{parts['PATCH']}"


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        lib = os.environ.get("AIAPREP_LIBRARY")
        if lib:
            with open(os.path.join(self.build_lib, "aiaprep", "_install.py"), "w") as f:
                f.write(f"# Written by pip install: the library AIAPREP_LIBRARY named.\n"
                        f"LIBRARY = {os.path.abspath(lib)!r}\n")


setup(version=version(), cmdclass={"build_py": BuildWithLibrary})
