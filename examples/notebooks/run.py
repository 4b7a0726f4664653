"""Execute every notebook here against the live server at CYBERKG_URL and
save it with its outputs, so that the committed notebooks read well on a
code host. Exits non-zero if any cell fails. Run by `make notebooks`."""
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

here = pathlib.Path(__file__).parent
notebooks = sorted(here.glob("*.ipynb"))
if not notebooks:
    sys.exit("run.py: no notebooks found")
failed = []
for path in notebooks:
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(here)}}).execute()
    except Exception as e:  # the cell's error and traceback, as nbclient reports them
        failed.append(path.name)
        print(f"FAIL {path.name}: {e}", file=sys.stderr)
    else:
        print(f"ok   {path.name}")
    nbformat.write(nb, path)
print(f"{len(notebooks) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
