import os
import sys

HERE = os.path.dirname(__file__)
# The live server and the console's people come from the Python client's own test harness;
# the client is this checkout's, installed or not.
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "clients", "python", "tests"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "clients", "python"))

from fixtures import mona, rita, server  # noqa: E402,F401  (fixtures, by name)
