"""run_example.py SCRIPT EXPECTED WORK_DIR: runs an examples/python script with this Python in
an empty WORK_DIR (where the pictures it saves land) and checks that it prints exactly
EXPECTED, and that every picture it names was written."""
import difflib
import os
import re
import shutil
import subprocess
import sys

script, expected, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
run = subprocess.run([sys.executable, script], cwd=work, capture_output=True, text=True)
if run.returncode != 0:
    sys.exit(f"{script} failed ({run.returncode}):\n{run.stderr}")
want = open(expected).read()
if run.stdout != want:
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), run.stdout.splitlines(True),
                                               expected, "actual output"))
    sys.exit(1)
for picture in re.findall(r"\.save\('([^']+)'\)", open(script).read()):
    path = os.path.join(work, picture)
    if not os.path.getsize(path):
        sys.exit(f"{script} did not write {picture}")
print(f"{os.path.basename(script)}: output as expected")
