#!/usr/bin/env python3
"""The Python peer: one process, the jinja2 template loaded once, every spec
read with tomllib and rendered to stdout (separated by ---), as fwreq does."""
import pathlib
import sys
import tomllib

import jinja2

here = pathlib.Path(__file__).parent
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(here), trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=True,
)
template = env.get_template("ticket.md.j2")
out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        out.append(template.render(**tomllib.load(f)))
sys.stdout.write("---\n".join(out))
